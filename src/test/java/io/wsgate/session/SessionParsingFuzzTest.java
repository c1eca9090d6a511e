package io.wsgate.session;

import io.wsgate.websocket.Utf8Validator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import io.wsgate.websocket.Utf8Validator;
import static org.junit.jupiter.api.Assertions.assertFalse;
import io.wsgate.websocket.Utf8Validator;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import io.wsgate.websocket.Utf8Validator;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsgate.websocket.Utf8Validator;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.wsgate.websocket.Utf8Validator;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wsgate.websocket.Utf8Validator;
import io.vertx.core.buffer.Buffer;
import io.wsgate.websocket.Utf8Validator;
import java.nio.ByteBuffer;
import io.wsgate.websocket.Utf8Validator;
import java.nio.charset.CharacterCodingException;
import io.wsgate.websocket.Utf8Validator;
import java.nio.charset.CharsetDecoder;
import io.wsgate.websocket.Utf8Validator;
import java.nio.charset.CoderResult;
import io.wsgate.websocket.Utf8Validator;
import java.nio.charset.CodingErrorAction;
import io.wsgate.websocket.Utf8Validator;
import java.nio.charset.StandardCharsets;
import io.wsgate.websocket.Utf8Validator;
import java.util.Arrays;

/**
 * Fuzz targets for what the relay parses itself, frame by frame: incremental UTF-8 validation of
 * text fragments, the close-code mapping and the re-authentication prefix. In a normal build they
 * replay the seeds under {@code SessionParsingFuzzTestInputs/<method>/}; see docs/fuzzing.md.
 */
class SessionParsingFuzzTest {

  /**
   * Fragment-by-fragment validation, for any split of any bytes, agrees with the JDK's strict
   * decoder (REPORT mode) on the concatenation; and when it refuses early, the bytes so far can
   * start no valid message (fail-fast is never premature). The instance is reused after a reset,
   * as the relay reuses one per direction.
   */
  @FuzzTest
  void utf8ValidatorAgreesWithStrictDecoder(FuzzedDataProvider data) {
    Utf8Validator validator = new Utf8Validator();
    validator.update(Buffer.buffer(data.consumeBytes(data.consumeInt(0, 8))));
    validator.reset();

    int fragments = data.consumeInt(1, 16);
    int[] cuts = new int[fragments - 1];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = data.consumeInt(0, 1 << 12);
    }
    byte[] message = data.consumeRemainingAsBytes();
    Arrays.sort(cuts);

    boolean refused = false;
    int start = 0;
    for (int f = 0; f < fragments && !refused; f++) {
      int end = f < cuts.length ? Math.min(Math.max(cuts[f], start), message.length) : message.length;
      if (!validator.update(Buffer.buffer(Arrays.copyOfRange(message, start, end)))) {
        refused = true;
        assertTrue(malformedPrefix(message, end), () -> "refused a prefix that can still become valid UTF-8 at "
            + end + ": " + hex(message));
      }
      start = end;
    }
    boolean valid = !refused && validator.complete();
    assertEquals(decodesStrictly(message), valid, () -> "validator and JDK decoder disagree on " + hex(message));
  }

  /** Any received close code maps to one that may be sent (RFC 6455 §7.4), and a sendable one passes unchanged. */
  @FuzzTest
  void closeCodesAlwaysSendable(FuzzedDataProvider data) {
    Short received = data.consumeBoolean() ? null : data.consumeShort();
    short forwarded = CloseCodes.forward(received);
    assertTrue(CloseCodes.sendable(forwarded), "forward(" + received + ") = " + forwarded);
    assertNotEquals(1005, forwarded);
    assertNotEquals(1006, forwarded);
    assertNotEquals(1015, forwarded);
    if (received != null && CloseCodes.sendable(received)) {
      assertEquals((short) received, forwarded);
    }
    int any = data.consumeInt();
    assertEquals((any >= 1000 && any <= 1003) || (any >= 1007 && any <= 1014) || (any >= 3000 && any <= 4999),
        CloseCodes.sendable(any), "sendable(" + any + ")");
  }

  /** Only a payload that starts with exactly the documented prefix is taken for a reauth message. */
  @FuzzTest
  void reauthPrefixIsExact(byte[] payload) {
    boolean expected = new String(payload, StandardCharsets.ISO_8859_1).startsWith("{\"wsgate\":\"reauth\"");
    assertEquals(expected, Reauthentication.isControlMessage(Buffer.buffer(payload)));
  }

  private static boolean decodesStrictly(byte[] bytes) {
    try {
      strict().decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /**
   * True when the first {@code length} bytes are malformed whatever follows. The JDK decoder, fed
   * a prefix, reports what is already malformed but waits on an incomplete tail (such as ED AD,
   * which no continuation can save); so the tail is tried with every continuation-byte range.
   */
  private static boolean malformedPrefix(byte[] bytes, int length) {
    ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
    CoderResult result = strict().decode(in, java.nio.CharBuffer.allocate(length + 1), false);
    if (result.isError()) {
      return true;
    }
    byte[] tail = new byte[in.remaining()];
    in.get(tail);
    for (int extra = 0; extra <= 3; extra++) {
      for (int pick = 0; pick < Math.pow(CONTINUATIONS.length, extra); pick++) {
        byte[] candidate = Arrays.copyOf(tail, tail.length + extra);
        for (int i = 0, p = pick; i < extra; i++, p /= CONTINUATIONS.length) {
          candidate[tail.length + i] = CONTINUATIONS[p % CONTINUATIONS.length];
        }
        if (decodesStrictly(candidate)) {
          return false;
        }
      }
    }
    return true;
  }

  /** One byte from each range a lead byte may demand of its continuation bytes (RFC 3629 §4). */
  private static final byte[] CONTINUATIONS = {(byte) 0x80, (byte) 0x8F, (byte) 0x90, (byte) 0x9F, (byte) 0xA0,
      (byte) 0xBF};

  private static CharsetDecoder strict() {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  private static String hex(byte[] bytes) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, 64); i++) {
      b.append(String.format("%02x", bytes[i] & 0xff));
    }
    return b.append(bytes.length > 64 ? "..." : "").toString();
  }
}
