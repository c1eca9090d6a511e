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

class SizeFilterTest {
  @Test
  void messageOfExactlyMaxBytesPassesOneMoreIsRefused() {
    MessagePipeline pipeline = Pipelines.of(new MessageRule.Size("small", 4, Action.CLOSE, Mode.ENFORCE));

    assertClean(check(pipeline, text("abcd")));
    assertClean(check(pipeline, text("")));
    assertRefused(check(pipeline, text("abcde")), Reason.MESSAGE_TOO_BIG, "small", Action.CLOSE);
    assertRefused(check(pipeline, binary(new byte[5])), Reason.MESSAGE_TOO_BIG, "small", Action.CLOSE);
  }

  @Test
  void sizeCountsBytesNotCharacters() {
    MessagePipeline pipeline = Pipelines.of(new MessageRule.Size("small", 4, Action.DROP, Mode.ENFORCE));

    // Three characters, six UTF-8 bytes.
    assertRefused(check(pipeline, text("éèê")), Reason.MESSAGE_TOO_BIG, "small", Action.DROP);
  }

  @Test
  void monitorModePassesButReportsTheHit() {
    MessagePipeline pipeline = Pipelines.of(new MessageRule.Size("small", 1, Action.DROP, Mode.MONITOR));

    assertMonitored(check(pipeline, text("too long")), Reason.MESSAGE_TOO_BIG, "small", Action.DROP);
  }
}
