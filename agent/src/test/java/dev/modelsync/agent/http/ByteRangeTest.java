package dev.modelsync.agent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ByteRangeTest {
  @Test
  @DisplayName("a-b, a- and -n select the bytes RFC 9110 says, clipped to the file")
  void forms() {
    assertEquals(new ByteRange(10, 19), ByteRange.parse("bytes=10-19", 100));
    assertEquals(new ByteRange(10, 99), ByteRange.parse("bytes=10-", 100));
    assertEquals(new ByteRange(90, 99), ByteRange.parse("bytes=-10", 100));
    assertEquals(new ByteRange(0, 99), ByteRange.parse("bytes=-500", 100));
    assertEquals(new ByteRange(95, 99), ByteRange.parse("bytes=95-1000", 100));
    assertEquals("bytes 10-19/100", ByteRange.parse("bytes=10-19", 100).contentRange(100));
    assertEquals(10, ByteRange.parse("bytes=10-19", 100).length());
  }

  @Test
  @DisplayName("no header, several ranges, other units and garbage mean the whole file")
  void ignored() {
    for (String h :
        new String[] {
          null, "bytes=1-2,5-6", "items=1-2", "bytes=x-2", "bytes=5-2", "bytes=", "b"
        }) {
      assertTrue(ByteRange.parse(h, 100).whole(), String.valueOf(h));
    }
  }

  @Test
  @DisplayName("a range starting at or past the end is unsatisfiable (416)")
  void unsatisfiable() {
    assertTrue(ByteRange.parse("bytes=100-", 100).unsatisfiable());
    assertTrue(ByteRange.parse("bytes=200-300", 100).unsatisfiable());
    assertTrue(ByteRange.parse("bytes=-0", 100).unsatisfiable());
    assertFalse(ByteRange.parse("bytes=99-", 100).unsatisfiable());
  }

  @Test
  @DisplayName("If-None-Match matches the strong or weak tag, a list, or *")
  void ifNoneMatch() {
    assertTrue(ArtifactHandlers.matches("\"abc\"", "\"abc\""));
    assertTrue(ArtifactHandlers.matches("\"x\", W/\"abc\"", "\"abc\""));
    assertTrue(ArtifactHandlers.matches("*", "\"abc\""));
    assertFalse(ArtifactHandlers.matches("\"abd\"", "\"abc\""));
    assertFalse(ArtifactHandlers.matches(null, "\"abc\""));
  }

  @Test
  @DisplayName(
      "edges: a range from byte 0, one byte, first = last; an 18-digit number is a number, 19"
          + " digits are garbage")
  void edges() {
    assertEquals(new ByteRange(0, 9), ByteRange.parse("bytes=0-9", 100));
    assertEquals(new ByteRange(0, 0), ByteRange.parse("bytes=0-0", 100));
    assertEquals(new ByteRange(5, 5), ByteRange.parse("bytes=5-5", 100));
    assertFalse(ByteRange.parse("bytes=0-9", 100).whole());
    assertTrue(ByteRange.parse("bytes=" + "1".repeat(18) + "-", 100).unsatisfiable());
    assertTrue(ByteRange.parse("bytes=" + "1".repeat(19) + "-", 100).whole());
  }
}
