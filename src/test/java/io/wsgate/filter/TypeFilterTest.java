package io.wsgate.filter;

import static io.wsgate.filter.Pipelines.assertClean;
import static io.wsgate.filter.Pipelines.assertMonitored;
import static io.wsgate.filter.Pipelines.assertRefused;
import static io.wsgate.filter.Pipelines.binary;
import static io.wsgate.filter.Pipelines.check;
import static io.wsgate.filter.Pipelines.text;

import io.wsgate.Reason;
import io.wsgate.policy.Action;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.Mode;
import org.junit.jupiter.api.Test;

class TypeFilterTest {
  @Test
  void textOnlyRoutePassesTextAndDropsBinary() {
    MessagePipeline pipeline = Pipelines.of(new MessageRule.Types("text-only", true, false, Action.DROP, Mode.ENFORCE));

    assertClean(check(pipeline, text("hello")));
    assertRefused(check(pipeline, binary((byte) 1, (byte) 2)), Reason.MESSAGE_TYPE_DENIED, "text-only", Action.DROP);
  }

  @Test
  void binaryOnlyRouteClosesOnText() {
    MessagePipeline pipeline = Pipelines.of(new MessageRule.Types("bin", false, true, Action.CLOSE, Mode.ENFORCE));

    assertClean(check(pipeline, binary((byte) 0)));
    assertRefused(check(pipeline, text("{}")), Reason.MESSAGE_TYPE_DENIED, "bin", Action.CLOSE);
  }

  @Test
  void monitorModePassesButReportsTheHit() {
    MessagePipeline pipeline = Pipelines.of(
        new MessageRule.Types("text-only", true, false, Action.CLOSE, Mode.MONITOR));

    assertMonitored(check(pipeline, binary((byte) 1)), Reason.MESSAGE_TYPE_DENIED, "text-only", Action.CLOSE);
  }
}
