package io.wsgate.wirefuzz;

import org.junit.jupiter.api.Named;

import java.util.List;

/** Scenarios that once broke the invariants (issue 10 and after), replayed before anything random. */
final class KnownFindings {
  private static final Piece ECHO = new Piece.Upgrade(Route.ECHO, Style.PLAIN, Credential.NONE);
  private static final Piece ALICE = new Piece.Upgrade(Route.CAPPED, Style.PLAIN, Credential.ALICE);

  private KnownFindings() {
  }

  static List<Named<Scenario>> all() {
    return List.of(
        Named.of("two upgrades pipelined in one write", Scenario.of(
            new Step.Send(0, List.of(ECHO, ECHO)),
            new Step.Read(0, 300))),
        Named.of("two upgrades pipelined, the first for a subject capped at one connection", Scenario.of(
            new Step.Send(0, List.of(ALICE, ECHO)),
            new Step.Read(0, 300),
            // With the cap held by a session that never ends, alice cannot come back at all.
            new Step.Send(1, List.of(ALICE)),
            new Step.Read(1, 300))),
        Named.of("two upgrades pipelined for the same capped subject", Scenario.of(
            new Step.Send(0, List.of(ALICE, ALICE)),
            new Step.Read(0, 300))),
        Named.of("a second upgrade written before the first one's 101 (found by WireFuzzIT#fixedSeed)", Scenario.of(
            new Step.Send(0, List.of(ECHO)),
            new Step.Send(0, List.of(ALICE)),
            new Step.Read(0, 100))),
        Named.of("an upgrade and a plain GET pipelined", Scenario.of(
            new Step.Send(0, List.of(ECHO, new Piece.PlainGet("/echo"))),
            new Step.Read(0, 300))),
        Named.of("an upgrade and masked frames in one write", Scenario.of(
            new Step.Send(0, List.of(ECHO, new Piece.Frame(FrameKind.TEXT), new Piece.Frame(FrameKind.CLOSE))),
            new Step.Read(0, 300))),
        // Found by fixedSeed (sequence 2) on the first fix of issue 10; the connection is closed at the end.
        Named.of("a client that leaves right after sending its upgrade", Scenario.of(
            new Step.Send(0, List.of(ECHO)))),
        Named.of("a client on a capped route that leaves right after sending its upgrade", Scenario.of(
            new Step.Send(0, List.of(ALICE)),
            new Step.Close(0),
            new Step.Send(1, List.of(ALICE)),
            new Step.Read(1, 300))),
        Named.of("a client that leaves while the upstream is connecting", Scenario.of(
            new Step.Send(0, List.of(new Piece.Upgrade(Route.SLOW, Style.PLAIN, Credential.NONE))),
            new Step.Reset(0))));
  }
}
