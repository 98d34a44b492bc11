package dev.modelsync.events;

import java.util.regex.Pattern;

/** The one definition of a valid model name and version, used wherever one enters. */
public final class ModelNames {
  /**
   * Letters, digits, dot, dash and underscore; starts with a letter or digit; 1 to 128 characters.
   */
  public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private ModelNames() {}

  public static boolean isValid(String name) {
    return name != null && PATTERN.matcher(name).matches() && !name.contains("..");
  }

  public static String requireValid(String name) {
    if (!isValid(name)) {
      throw new IllegalArgumentException(
          "invalid model name '" + name + "': expected " + PATTERN.pattern() + " without '..'");
    }
    return name;
  }

  public static long requireValidVersion(long version) {
    if (version < 1) {
      throw new IllegalArgumentException("invalid version " + version + ": expected 1 or more");
    }
    return version;
  }

  /** Parses a version path segment such as {@code "3"}; -1 if it is not a positive integer. */
  public static long parseVersion(String text) {
    if (text == null || text.isEmpty() || text.length() > 18) {
      return -1;
    }
    for (int i = 0; i < text.length(); i++) {
      if (!Character.isDigit(text.charAt(i)) || text.charAt(i) > '9') {
        return -1;
      }
    }
    long v = Long.parseLong(text);
    return v >= 1 ? v : -1;
  }
}
