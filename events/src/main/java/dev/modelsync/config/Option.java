package dev.modelsync.config;

/**
 * One setting of a process: the environment variable that sets it, the flag that overrides it, its
 * default (null when required) and a line of documentation.
 */
public record Option(String env, String flag, String defaultValue, String doc) {
  public static Option required(String env, String flag, String doc) {
    return new Option(env, flag, null, doc);
  }

  public static Option optional(String env, String flag, String defaultValue, String doc) {
    return new Option(env, flag, defaultValue, doc);
  }

  /** How an error message names this setting: the variable, and the flag when there is one. */
  public String label() {
    return flag == null ? env : env + " (--" + flag + ")";
  }
}
