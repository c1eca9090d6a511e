package io.wsgate.demo;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoPageTest {

  @Test
  void pageHasTheStableIdsAndNoExternalResources() {
    String html = DemoPage.load().toString();
    for (String id : List.of("token", "connect", "message", "send", "log")) {
      assertTrue(html.contains("id=\"" + id + "\""), id);
    }
    assertTrue(html.contains("Access token (JWT)"));
    assertTrue(html.contains("['bearer', token]"));
    assertTrue(html.contains("dataset.state"));
    assertFalse(html.contains("innerHTML"));
    assertFalse(html.matches("(?s).*(src|href)\\s*=.*"), "no external or linked resources");
    assertFalse(html.contains("//cdn"));
  }

  @Test
  void eachLoadIsAnIndependentCopy() {
    Buffer first = DemoPage.load();
    int length = first.length();
    first.setByte(0, (byte) 'X');
    first.appendString("tampered");
    Buffer second = DemoPage.load();
    assertEquals(length, second.length());
    assertEquals('<', second.getByte(0));
  }

  @Test
  void policyAllowsOnlyInlineCodeAndSameOriginConnections() {
    assertEquals("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
        DemoPage.CONTENT_SECURITY_POLICY);
    assertEquals("text/html; charset=utf-8", DemoPage.CONTENT_TYPE);
  }
}
