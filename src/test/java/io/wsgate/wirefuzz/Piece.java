package io.wsgate.wirefuzz;

import io.wsgate.testing.RawClient;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** One part of what the fuzzer writes at once on a connection: request heads and frames, whole or cut. */
sealed interface Piece {
  /** The bytes, with tokens from {@code tokens}. */
  byte[] bytes(Tokens tokens);

  /** Simpler pieces to try in its place while shrinking; empty when there is none. */
  default java.util.List<Piece> simpler() {
    return java.util.List.of();
  }

  /** A WebSocket upgrade request head. */
  record Upgrade(Route route, Style style, Credential credential) implements Piece {
    @Override
    public byte[] bytes(Tokens tokens) {
      return head(tokens).getBytes(StandardCharsets.ISO_8859_1);
    }

    String head(Tokens tokens) {
      boolean loose = style == Style.LOOSE;
      StringBuilder h = new StringBuilder();
      h.append(style == Style.POST ? "POST " : "GET ").append(route.path)
          .append(style == Style.HTTP_10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
      header(h, loose, "Host", "localhost");
      header(h, loose, "Upgrade", "websocket");
      header(h, loose, "Connection", loose ? "keep-alive, Upgrade" : "Upgrade");
      if (style != Style.NO_KEY) {
        header(h, loose, "Sec-WebSocket-Key", RawClient.KEY);
      }
      if (style == Style.DUPLICATE_KEY) {
        header(h, loose, "Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAA==");
      }
      if (style == Style.DUPLICATE_UPGRADE) {
        header(h, loose, "Upgrade", "websocket");
        header(h, loose, "Host", "localhost");
      }
      header(h, loose, "Sec-WebSocket-Version", style == Style.BAD_VERSION ? "8" : "13");
      for (String value : tokens.authorization(credential)) {
        header(h, loose, "Authorization", value);
      }
      return h.append("\r\n").toString();
    }

    private static void header(StringBuilder h, boolean loose, String name, String value) {
      if (loose) {
        h.append(name.toLowerCase(java.util.Locale.ROOT)).append(": \t").append(value).append(" \t\r\n");
      } else {
        h.append(name).append(": ").append(value).append("\r\n");
      }
    }

    @Override
    public java.util.List<Piece> simpler() {
      java.util.List<Piece> out = new java.util.ArrayList<>();
      if (style != Style.PLAIN) {
        out.add(new Upgrade(route, Style.PLAIN, credential));
      }
      if (credential != Credential.NONE && credential != Credential.ALICE) {
        out.add(new Upgrade(route, style, Credential.ALICE));
      }
      if (route != Route.ECHO && route != Route.CAPPED) {
        out.add(new Upgrade(Route.ECHO, style, credential));
      }
      return out;
    }

    @Override
    public String toString() {
      return "upgrade " + route.path + (style == Style.PLAIN ? "" : " " + style)
          + (credential == Credential.NONE ? "" : " token=" + credential);
    }
  }

  /** The first ({@code head}) or the remaining bytes of an upgrade request, cut at {@code percent} of its length. */
  record Cut(Upgrade upgrade, int percent, boolean head) implements Piece {
    @Override
    public byte[] bytes(Tokens tokens) {
      byte[] all = upgrade.bytes(tokens);
      int at = Math.max(1, all.length * percent / 100);
      return head ? Arrays.copyOfRange(all, 0, at) : Arrays.copyOfRange(all, at, all.length);
    }

    @Override
    public java.util.List<Piece> simpler() {
      return java.util.List.of(upgrade);
    }

    @Override
    public String toString() {
      return (head ? "first " : "rest after ") + percent + "% of (" + upgrade + ")";
    }
  }

  /** A plain HTTP request (no upgrade). */
  record PlainGet(String path) implements Piece {
    @Override
    public byte[] bytes(Tokens tokens) {
      return ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
      return "GET " + path;
    }
  }

  record Frame(FrameKind kind) implements Piece {
    @Override
    public byte[] bytes(Tokens tokens) {
      return kind.bytes();
    }

    @Override
    public java.util.List<Piece> simpler() {
      return kind == FrameKind.TEXT ? java.util.List.of() : java.util.List.of(new Frame(FrameKind.TEXT));
    }

    @Override
    public String toString() {
      return "frame " + kind;
    }
  }

  /** Bytes that are not HTTP. */
  record Garbage() implements Piece {
    @Override
    public byte[] bytes(Tokens tokens) {
      return "\u0001\u0002GARBAGE \u00ff\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
      return "garbage";
    }
  }
}
