package dev.modelsync.config;

/**
 * One setting of a process: the environment variable that sets it, the flag that overrides it, its
 * default, whether it must be given, and a line of documentation.
 *
 * @param env environment variable name
 * @param flag flag name without the leading dashes, or null for none
 * @param defaultValue the value when unset; null for "no value" (required, or off)
 * @param required whether a value must be given
 * @param doc one line for {@code --help} and the README
 */
public record Option(String env, String flag, String defaultValue, boolean required, String doc) {
  public static Option required(String env, String flag, String doc) {
    return new Option(env, flag, null, true, doc);
  }

  /**
   * An optional setting; a null default means unset, which the program reads as "off" or derives.
   */
  public static Option optional(String env, String flag, String defaultValue, String doc) {
    return new Option(env, flag, defaultValue, false, doc);
  }

  /** How an error message names this setting: the variable, and the flag when there is one. */
  public String label() {
    return flag == null ? env : env + " (--" + flag + ")";
  }
}
