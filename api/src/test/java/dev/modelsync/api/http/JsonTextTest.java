package dev.modelsync.api.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JsonTextTest {
  @Test
  @DisplayName("bytes are UTF-8 for ASCII answers and for names past ASCII (é, 中, an emoji)")
  void bytesAreUtf8() {
    for (String text :
        List.of(
            "",
            "{\"outputs\":[{\"name\":\"output\",\"data\":[1.0,2.0]}]}",
            "{\"name\":\"caf\u00e9\"}",
            "{\"name\":\"\u4e2d\"}",
            "{\"name\":\"\uD83D\uDE00\"}",
            "\u007f\u0080")) {
      assertArrayEquals(
          text.getBytes(StandardCharsets.UTF_8), JsonText.bytes(new StringBuilder(text)), text);
    }
  }
}
