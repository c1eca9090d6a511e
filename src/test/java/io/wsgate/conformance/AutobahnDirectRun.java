package io.wsgate.conformance;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

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
 * <p>Arguments: report directory, case pattern, excluded case patterns (comma separated).
 */
public final class AutobahnDirectRun {
  static final String AGENT = "vertx-echo-upstream";

  private AutobahnDirectRun() {
  }

  public static void main(String[] args) throws ScriptException {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: <report dir> <cases> <excluded cases, comma separated>");
    }
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
    System.exit(0);
  }
}
