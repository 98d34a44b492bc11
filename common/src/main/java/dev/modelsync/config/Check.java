package dev.modelsync.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What values an {@link Option} takes, declared with it: {@link Settings#parse} checks every value
 * given (and every default) before a program reads any, and the config records check the typed
 * values they are built with through the same instance. A bad value is one {@link ConfigException}
 * naming the variable.
 *
 * @param type the name {@code --help}, the README and {@code deploy/options.json} give the type
 */
public record Check(String type, Rule rule) {
  /** Tells whether one value is acceptable. */
  @FunctionalInterface
  public interface Rule {
    /** Null when {@code value} is acceptable, else what it must be ("a port from 0 to 65535"). */
    String refuse(String value);
  }

  private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  private static final Pattern INSTANCE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  /** Any text. */
  public static final Check TEXT = new Check("text", v -> null);

  /** A TCP port; 0 picks a free one. */
  public static final Check PORT = range("port", 0, 65535);

  /** A whole number above zero. */
  public static final Check POSITIVE = range("positive", 1, Long.MAX_VALUE);

  /** A Kafka topic name. */
  public static final Check TOPIC =
      new Check(
          "topic",
          v ->
              TOPIC_NAME.matcher(v).matches()
                  ? null
                  : "a topic name: 1 to 249 letters, digits, '.', '_' or '-'");

  /** A name used in event sources and metric labels. */
  public static final Check INSTANCE =
      new Check(
          "name",
          v ->
              INSTANCE_NAME.matcher(v).matches()
                  ? null
                  : "1 to 128 letters, digits, '.', '_' or '-'");

  /** An address to listen on: an IPv4 or IPv6 literal, or a DNS host name. */
  public static final Check LISTEN_ADDRESS =
      new Check(
          "address",
          v ->
              ListenAddress.isValid(v)
                  ? null
                  : "an IP address or a host name to listen on (0.0.0.0 = every IPv4 address)");

  /** A file system path. */
  public static final Check PATH = new Check("path", v -> null);

  /** Comma-separated {@code host:port} pairs. */
  public static final Check HOST_PORTS =
      new Check(
          "host:port,...",
          v -> {
            for (String part : v.split(",")) {
              String hp = part.trim();
              int colon = hp.lastIndexOf(':');
              if (colon <= 0
                  || colon == hp.length() - 1
                  || !hp.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                return "host:port[,host:port...]";
              }
            }
            return null;
          });

  /** An {@code http://} or {@code https://} address with a host, no query or fragment. */
  public static final Check HTTP_URL =
      new Check(
          "url",
          v -> {
            try {
              URI url = new URI(v);
              boolean ok =
                  ("http".equals(url.getScheme()) || "https".equals(url.getScheme()))
                      && url.getHost() != null
                      && url.getRawQuery() == null
                      && url.getRawFragment() == null;
              return ok ? null : "an http(s)://host[:port] URL";
            } catch (URISyntaxException e) {
              return "an http(s)://host[:port] URL";
            }
          });

  /** {@code true} or {@code false}. */
  public static final Check BOOLEAN = oneOf("true", "false");

  /** A whole number from {@code min} to {@code max}. */
  public static Check range(long min, long max) {
    return range("integer", min, max);
  }

  private static Check range(String type, long min, long max) {
    String what =
        max == Long.MAX_VALUE
            ? "a whole number from " + min
            : "a whole number from " + min + " to " + max;
    return new Check(
        type.equals("integer")
            ? "integer " + min + ".." + (max == Long.MAX_VALUE ? "" : max)
            : type,
        v -> {
          try {
            long n = Long.parseLong(v);
            return n >= min && n <= max ? null : what;
          } catch (NumberFormatException e) {
            return what;
          }
        });
  }

  /** One of the given words, in any case. */
  public static Check oneOf(String... choices) {
    List<String> allowed = List.of(choices);
    String what = String.join(", ", allowed);
    return new Check(
        String.join("|", allowed),
        v -> allowed.contains(v.toLowerCase(Locale.ROOT)) ? null : "one of " + what);
  }

  /**
   * Throws a {@link ConfigException} naming {@code option} unless {@code value} is acceptable.
   *
   * @return the value
   */
  public String require(Option option, String value) {
    String refused = value == null ? "set" : rule.refuse(value);
    if (refused != null) {
      throw new ConfigException(
          option.label()
              + " must be "
              + refused
              + ", got "
              + (value == null
                  ? "nothing"
                  : option.secret() ? "another value" : "'" + value + "'"));
    }
    return value;
  }

  /** {@link #require(Option, String)} for a number a record was built with. */
  public long require(Option option, long value) {
    require(option, Long.toString(value));
    return value;
  }
}
