package io.wsgate.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wsgate.Reason;
import org.junit.jupiter.api.Test;

class DropNoticeTest {
  @Test
  void noticeIsTheReasonTagAndTheRuleName() {
    assertEquals("{\"error\":\"message_rate_limited\",\"rule\":\"chat-rate\"}",
        DropNotice.json(Reason.MESSAGE_RATE_LIMITED, "chat-rate").toString());
  }

  @Test
  void ruleNameIsEscapedSoTheNoticeIsAlwaysOneJsonObject() throws Exception {
    String name = "odd \"name\" \\ with\nnewline, \u0001 control and é ✓";

    JsonNode notice = new ObjectMapper().readTree(DropNotice.json(Reason.PATTERN_DENIED, name).getBytes());

    assertEquals(2, notice.size());
    assertEquals("pattern_denied", notice.get("error").textValue());
    assertEquals(name, notice.get("rule").textValue());
  }
}
