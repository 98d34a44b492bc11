package dev.modelsync.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Raw setting values read once at start: environment variables, overridden by {@code --flag value}
 * or {@code --flag=value}. Typed accessors validate and throw a {@link ConfigException} naming the
 * variable, so a process can stop with one clear line.
 */
public final class Settings {
  private final Map<String, String> values;

  private Settings(Map<String, String> values) {
    this.values = values;
  }

  public static Settings parse(List<Option> options, Map<String, String> env, String... args) {
    Map<String, String> values = new HashMap<>();
    for (Option option : options) {
      String v = env.get(option.env());
      if (v != null && !v.isBlank()) {
        values.put(option.env(), v.trim());
      }
    }
    Map<String, Option> byFlag =
        options.stream()
            .filter(o -> o.flag() != null)
            .collect(Collectors.toMap(Option::flag, o -> o));
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new ConfigException(
            "unexpected argument '" + arg + "'; flags look like --name value");
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      Option option = byFlag.get(name);
      if (option == null) {
        throw new ConfigException("unknown flag --" + name + "; known: " + flags(options));
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new ConfigException("flag --" + name + " needs a value");
        }
        value = args[++i];
      }
      values.put(option.env(), value.trim());
    }
    for (Option option : options) {
      String value = values.getOrDefault(option.env(), option.defaultValue());
      if (value != null) {
        option.check().require(option, value);
      }
    }
    return new Settings(values);
  }

  private static String flags(List<Option> options) {
    return options.stream()
        .filter(o -> o.flag() != null)
        .map(o -> "--" + o.flag())
        .collect(Collectors.joining(", "));
  }

  /** The value, or the default; a required setting without a value is an error. */
  public String string(Option option) {
    String v = values.getOrDefault(option.env(), option.defaultValue());
    if (v == null) {
      throw new ConfigException(option.label() + " is required: " + option.doc());
    }
    return v;
  }

  /** The value, the default, or null: for settings where "unset" means "off". */
  public String optionalString(Option option) {
    return values.getOrDefault(option.env(), option.defaultValue());
  }

  /** The value as a port, what {@link Check#PORT} accepts (0 to 65535). */
  public int port(Option option) {
    return (int) Check.PORT.require(option, longValue(option));
  }

  /** The value as a whole number from 1, what {@link Check#POSITIVE} accepts. */
  public long positiveLong(Option option) {
    return Check.POSITIVE.require(option, longValue(option));
  }

  public long longValue(Option option) {
    String v = string(option);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new ConfigException(option.label() + " must be a whole number, got '" + v + "'");
    }
  }

  public Path path(Option option) {
    String v = string(option);
    try {
      return Path.of(v).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new ConfigException(option.label() + " is not a valid path: '" + v + "'");
    }
  }

  /** A directory that must exist already. */
  public Path existingDirectory(Option option) {
    Path p = path(option);
    if (!Files.isDirectory(p)) {
      throw new ConfigException(option.label() + " must be an existing directory, got " + p);
    }
    return p;
  }

  /** A directory that is created if missing and must be writable. */
  public Path writableDirectory(Option option) {
    Path p = path(option);
    try {
      Files.createDirectories(p);
    } catch (Exception e) {
      throw new ConfigException(option.label() + " cannot be created: " + p + " (" + e + ")");
    }
    if (!Files.isWritable(p)) {
      throw new ConfigException(option.label() + " is not writable: " + p);
    }
    return p;
  }

  /** Comma-separated {@code host:port} pairs. */
  public String hostPorts(Option option) {
    String v = string(option);
    for (String part : v.split(",")) {
      String hp = part.trim();
      int colon = hp.lastIndexOf(':');
      if (colon <= 0
          || colon == hp.length() - 1
          || !hp.substring(colon + 1).chars().allMatch(Character::isDigit)) {
        throw new ConfigException(
            option.label() + " must be host:port[,host:port...], got '" + v + "'");
      }
    }
    return v;
  }

  private static String defaultText(Option o) {
    if (o.required()) {
      return "(required)";
    }
    return o.defaultValue() == null || o.defaultValue().isEmpty() || o.secret()
        ? "(unset)"
        : "`" + o.defaultValue() + "`";
  }

  /**
   * The options as JSON, one object per option ({@code env}, {@code flag}, {@code default}, {@code
   * required}, {@code type}, {@code secret}, {@code doc}): what {@code deploy/options.json} holds
   * for tools that check deployments against what the programs read.
   */
  public static String listing(List<Option> options) {
    StringBuilder out = new StringBuilder("[\n");
    for (int i = 0; i < options.size(); i++) {
      Option o = options.get(i);
      out.append("  {\"env\": ")
          .append(quote(o.env()))
          .append(", \"flag\": ")
          .append(o.flag() == null ? "null" : quote("--" + o.flag()))
          .append(", \"default\": ")
          .append(o.defaultValue() == null || o.secret() ? "null" : quote(o.defaultValue()))
          .append(", \"required\": ")
          .append(o.required())
          .append(", \"type\": ")
          .append(quote(o.check().type()))
          .append(", \"secret\": ")
          .append(o.secret())
          .append(", \"doc\": ")
          .append(quote(o.doc()))
          .append(i + 1 < options.size() ? "},\n" : "}\n");
    }
    return out.append("]\n").toString();
  }

  private static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** A markdown table of the options, for {@code --help} and the README. */
  public static String describe(List<Option> options) {
    StringBuilder out =
        new StringBuilder("| variable | flag | default | meaning |\n|---|---|---|---|\n");
    for (Option o : options) {
      out.append("| `")
          .append(o.env())
          .append("` | ")
          .append(o.flag() == null ? "" : "`--" + o.flag() + "`")
          .append(" | ")
          .append(defaultText(o))
          .append(" | ")
          .append(o.doc())
          .append(" |\n");
    }
    return out.toString();
  }
}
