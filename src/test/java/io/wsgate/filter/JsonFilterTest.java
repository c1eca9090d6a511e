package io.wsgate.filter;

import static io.wsgate.filter.Pipelines.assertClean;
import static io.wsgate.filter.Pipelines.assertMonitored;
import static io.wsgate.filter.Pipelines.assertRefused;
import static io.wsgate.filter.Pipelines.check;
import static io.wsgate.filter.Pipelines.text;

import io.vertx.core.buffer.Buffer;
import io.wsgate.Reason;
import io.wsgate.policy.Action;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonFilterTest {
  private static MessagePipeline json(int maxDepth) {
    return Pipelines.of(new MessageRule.Json("json", maxDepth, Action.CLOSE, Mode.ENFORCE));
  }

  private static String nested(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "[]", "{\"a\":[1,2,{\"b\":null}]}", "42", "\"just a string\"", "true",
      " {\"a\" : 1 } ", "{\"big\":123456789012345678901234567890}"})
  void wellFormedJsonPasses(String body) {
    assertClean(check(json(8), text(body)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "{", "{\"a\":1", "{'a':1}", "{\"a\":1}{\"b\":2}", "{\"a\":1} trailing",
      "[1,2,]", "{\"a\":1,\"a\":2}", "NaN", "// comment\n{}", "{\"a\":01}", "hello"})
  void malformedAmbiguousOrTrailingJsonIsRefused(String body) {
    assertRefused(check(json(8), text(body)), Reason.INVALID_JSON, "json", Action.CLOSE);
  }

  @Test
  void depthUpToMaxDepthPassesOneDeeperIsRefused() {
    MessagePipeline pipeline = json(5);

    assertClean(check(pipeline, text(nested(5))));
    assertClean(check(pipeline, text("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}}}")));
    assertRefused(check(pipeline, text(nested(6))), Reason.INVALID_JSON, "json", Action.CLOSE);
    assertRefused(check(pipeline, text("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{}}}}}}")), Reason.INVALID_JSON, "json",
        Action.CLOSE);
  }

  @Test
  void veryDeepDocumentIsRefusedWithoutBuildingIt() {
    // 100 000 levels: the parser stops at the limit instead of building (or recursing into) the tree.
    assertRefused(check(json(32), text(nested(100_000))), Reason.INVALID_JSON, "json", Action.CLOSE);
  }

  @Test
  void twoJsonRulesWithDifferentDepthsEachApplyTheirOwn() {
    MessagePipeline pipeline = Pipelines.of(
        new MessageRule.Json("strict-audit", 3, Action.DROP, Mode.MONITOR),
        new MessageRule.Json("lenient", 6, Action.DROP, Mode.ENFORCE));

    assertClean(check(pipeline, text(nested(3))));
    assertMonitored(check(pipeline, text(nested(4))), Reason.INVALID_JSON, "strict-audit", Action.DROP);
    assertMonitored(check(pipeline, text(nested(6))), Reason.INVALID_JSON, "strict-audit", Action.DROP);
    Decision tooDeep = check(pipeline, text(nested(7)));
    assertRefused(tooDeep, Reason.INVALID_JSON, "lenient", Action.DROP);
  }

  @Test
  void binaryMessageIsJudgedByItsBytes() {
    MessagePipeline pipeline = json(4);

    assertClean(check(pipeline, Message.binary(Buffer.buffer("{\"a\":1}"))));
    assertRefused(check(pipeline, Message.binary(Buffer.buffer(new byte[] {(byte) 0xff, 0}))), Reason.INVALID_JSON,
        "json", Action.CLOSE);
  }

  @Test
  void payloadSliceIsParsedFromItsOwnBytesOnly() {
    Buffer whole = Buffer.buffer("xx{\"a\":1}yy");
    assertClean(check(json(4), Message.binary(whole.slice(2, whole.length() - 2))));
  }

  @Test
  void monitorModePassesButReportsTheHit() {
    MessagePipeline pipeline = Pipelines.of(new MessageRule.Json("json", 4, Action.CLOSE, Mode.MONITOR));

    assertMonitored(check(pipeline, text("{oops")), Reason.INVALID_JSON, "json", Action.CLOSE);
  }
}
