package dev.modelsync.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UrlParamsTest {

  @Test
  @DisplayName("no version is 0 (the serving one); a positive integer is itself; else a 400")
  void versions() {
    assertEquals(0, UrlParams.version("m", null));
    assertEquals(1, UrlParams.version("m", "1"));
    assertEquals(42, UrlParams.version("m", "42"));
    for (String bad : new String[] {"0", "-1", "x", "", "1.5"}) {
      ApiError e = assertThrows(ApiError.class, () -> UrlParams.version("m", bad));
      assertEquals(400, e.status());
      assertEquals("version '" + bad + "' of model 'm' is not a positive integer", e.getMessage());
    }
  }

  @Test
  @DisplayName("names: valid ones pass, others are a 400 quoting at most 140 characters")
  void names() {
    UrlParams.checkName("iris-2.v_1");
    ApiError e = assertThrows(ApiError.class, () -> UrlParams.checkName("../etc"));
    assertEquals(400, e.status());
    assertEquals(
        "'../etc' is not a valid model name: 1 to 128 letters, digits, '.', '_' or '-', starting"
            + " with a letter or digit",
        e.getMessage());
    String exactly = "/".repeat(140);
    assertEquals(
        "'" + exactly + "' is not",
        assertThrows(ApiError.class, () -> UrlParams.checkName(exactly))
            .getMessage()
            .substring(0, 149));
    String longer = "/".repeat(141);
    assertEquals(
        "'" + exactly + "…' is not",
        assertThrows(ApiError.class, () -> UrlParams.checkName(longer))
            .getMessage()
            .substring(0, 150));
  }
}
