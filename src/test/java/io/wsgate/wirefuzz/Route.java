package io.wsgate.wirefuzz;

/** The routes of the fuzzed gateway ({@link FuzzTarget}). */
enum Route {
  /** Open, in front of an echo upstream. */
  ECHO("/echo"),
  /** A token from the test issuer, at most one connection per subject, in front of an echo upstream. */
  CAPPED("/capped"),
  /** Open, in front of an echo upstream that answers each upgrade only after a while. */
  SLOW("/slow"),
  /** Open, in front of an upstream that refuses every upgrade with 403. */
  REFUSING("/refusing"),
  /** No such route: 404. */
  NOWHERE("/nowhere");

  final String path;

  Route(String path) {
    this.path = path;
  }
}
