package io.wsgate.conformance;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

import java.time.Duration;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.script.ScriptException;

/**
 * The baseline Autobahn run: the fuzzing client against the {@link AutobahnEcho} upstream alone,
 * report only. It runs in a JVM of its own (the {@code conformance} profile forks it with the
 * autobahntestsuite-maven-plugin jar, which carries the suite's Python sources, and Jython on the
 * class path): the suite's Twisted reactor cannot be started twice in one JVM, and the plugin's
 * own run in Maven's JVM is kept for the gateway, whose result decides the build.
 *
 * <p>The suite runs on Jython, whose client can hang for good after an internal error
 * (bugs.jython.org issue 2487, seen on CI at case 9.3.1). A hung run does not end on SIGTERM either:
 * the JVM's shutdown hooks wait on the same stuck reactor. So this JVM halts itself, hooks skipped,
 * once {@link #DEADLINE} (system property {@code autobahn.direct.deadline}) has passed, and ends with
 * {@code Runtime.halt} when the suite is done as well.
 *
 * <p>Arguments: report directory, case pattern, excluded case patterns (comma separated).
 */
public final class AutobahnDirectRun {
  static final String AGENT = "vertx-echo-upstream";
  /** The whole direct run takes about 4 minutes on the 2-core CI machine. */
  static final Duration DEADLINE = Duration.parse(System.getProperty("autobahn.direct.deadline", "PT7M"));
  static final int EXIT_DEADLINE = 3;

  private AutobahnDirectRun() {
  }

  public static void main(String[] args) throws ScriptException {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: <report dir> <cases> <excluded cases, comma separated>");
    }
    haltAfter(DEADLINE);
    String host = AutobahnTargets.host();
    HttpServer echo = AutobahnEcho.start(Vertx.vertx(), host, 0).await();
    String url = "ws://" + host + ":" + echo.actualPort();
    System.out.println("Autobahn target: echo upstream on " + url + "/");
    ScriptEngine python = new ScriptEngineManager().getEngineByName("python");
    if (python == null) {
      throw new IllegalStateException("no Jython script engine on the class path");
    }
    python.put("outdir", args[0]);
    python.put("url", url);
    python.put("agent", AGENT);
    python.put("cases", args[1]);
    python.put("excluded", args[2]);
    // The same specification the plugin gives the suite (protocol version 18 = RFC 6455, failByDrop off).
    // The suite's Twisted imports Python's io module; on this class path the Java packages io.vertx,
    // io.netty and io.wsgate would otherwise claim the name: import the Python one first.
    python.eval("""
        import io
        from autobahntestsuite import wstest
        spec = {'outdir': outdir, 'servers': [{'agent': agent, 'url': url}], 'options': {'version': 18},
                'cases': cases.split(','), 'exclude-cases': [c for c in excluded.split(',') if c],
                'failByDrop': False}
        wstest.start({'mode': 'fuzzingclient'}, spec)
        """);
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }

  private static void haltAfter(Duration deadline) {
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(deadline.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      System.err.println("Autobahn direct run not done after " + deadline
          + ": halting (a hung Jython client, see bugs.jython.org issue 2487)");
      System.err.flush();
      Runtime.getRuntime().halt(EXIT_DEADLINE);
    }, "autobahn-direct-deadline");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
