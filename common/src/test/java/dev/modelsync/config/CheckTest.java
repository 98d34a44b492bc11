package dev.modelsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 18: options declare what they take; parsing checks it once, for every program. */
class CheckTest {
  static final Option PORT =
      Option.optional("X_PORT", "port", "8080", "a port").checked(Check.PORT);
  static final Option THREADS =
      Option.optional("X_THREADS", null, "2", "threads").checked(Check.range(1, 64));
  static final Option MODE =
      Option.optional("X_MODE", "mode", "auto", "mode").checked(Check.oneOf("auto", "poll"));
  static final Option TOPIC =
      Option.optional("X_TOPIC", null, "events", "topic").checked(Check.TOPIC);
  static final Option KEY = Option.optional("X_KEY", null, null, "a secret").hidden();
  static final List<Option> ALL = List.of(PORT, THREADS, MODE, TOPIC, KEY);

  private static String refusal(Map<String, String> env, String... args) {
    return assertThrows(ConfigException.class, () -> Settings.parse(ALL, env, args)).getMessage();
  }

  @Test
  @DisplayName("a value outside its declared check stops parsing with the variable, rule and value")
  void parseChecksEveryValue() {
    assertEquals(
        "X_PORT (--port) must be a whole number from 0 to 65535, got '70000'",
        refusal(Map.of("X_PORT", "70000")));
    assertEquals(
        "X_PORT (--port) must be a whole number from 0 to 65535, got 'http'",
        refusal(Map.of(), "--port", "http"));
    assertEquals(
        "X_THREADS must be a whole number from 1 to 64, got '0'",
        refusal(Map.of("X_THREADS", "0")));
    assertEquals(
        "X_MODE (--mode) must be one of auto, poll, got 'fast'", refusal(Map.of("X_MODE", "fast")));
    assertTrue(refusal(Map.of("X_TOPIC", "a topic")).startsWith("X_TOPIC must be a topic name"));
    var s = Settings.parse(ALL, Map.of("X_MODE", "POLL", "X_PORT", "0"));
    assertEquals("POLL", s.string(MODE), "choices are checked in any case, read as given");
    assertEquals(0, s.port(PORT));
  }

  @Test
  @DisplayName("a bad default is refused too: declarations cannot disagree with their checks")
  void defaultsAreChecked() {
    Option bad = Option.optional("X_BAD", null, "-1", "bad").checked(Check.POSITIVE);
    var e = assertThrows(ConfigException.class, () -> Settings.parse(List.of(bad), Map.of()));
    assertEquals("X_BAD must be a whole number from 1, got '-1'", e.getMessage());
  }

  @Test
  @DisplayName("records built directly run the same checks on typed values")
  void requireOnTypedValues() {
    assertEquals(64, THREADS.require(64));
    var e = assertThrows(ConfigException.class, () -> THREADS.require(65));
    assertEquals("X_THREADS must be a whole number from 1 to 64, got '65'", e.getMessage());
  }

  @Test
  @DisplayName("listen addresses: IPv4, IPv6 and host names; junk is refused")
  void listenAddress() {
    for (String ok : List.of("0.0.0.0", "127.0.0.1", "::", "::1", "fe80::1", "api", "a.b-c.d")) {
      assertEquals(null, Check.LISTEN_ADDRESS.rule().refuse(ok), ok);
    }
    for (String bad : List.of("256.0.0.1", "1:2:3:4:5:6:7:8:9", "not a host", "-x", "")) {
      assertTrue(Check.LISTEN_ADDRESS.rule().refuse(bad) != null, bad);
    }
  }

  @Test
  @DisplayName("a secret's value is never shown: not in errors, help, or the listing")
  void secretsStayHidden() {
    Option key =
        Option.optional("X_KEY", null, "default-secret-value", "a secret")
            .checked(Check.range(0, 1))
            .hidden();
    var e =
        assertThrows(
            ConfigException.class,
            () -> Settings.parse(List.of(key), Map.of("X_KEY", "super-secret-text")));
    assertFalse(e.getMessage().contains("super-secret-text"), e.getMessage());
    assertTrue(e.getMessage().startsWith("X_KEY must be"), e.getMessage());
    assertFalse(Settings.describe(List.of(key)).contains("default-secret-value"));
    assertFalse(Settings.listing(List.of(key)).contains("default-secret-value"));
  }

  @Test
  @DisplayName("the listing is JSON with each option's variable, flag, default, type and doc")
  void listing() {
    String json = Settings.listing(List.of(PORT, KEY));
    assertEquals(
        "[\n"
            + "  {\"env\": \"X_PORT\", \"flag\": \"--port\", \"default\": \"8080\", \"required\":"
            + " false, \"type\": \"port\", \"secret\": false, \"doc\": \"a port\"},\n"
            + "  {\"env\": \"X_KEY\", \"flag\": null, \"default\": null, \"required\": false,"
            + " \"type\": \"text\", \"secret\": true, \"doc\": \"a secret\"}\n"
            + "]\n",
        json);
  }
}
