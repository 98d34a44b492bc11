package dev.modelsync.config;

/**
 * One setting of a process, declared once: the environment variable that sets it, the flag that
 * overrides it, its default, whether it must be given, the values it takes, and a line of
 * documentation. {@code --help}, the README's tables and {@code deploy/options.json} are made from
 * these declarations ({@link Settings#describe}, {@link Settings#listing}).
 *
 * @param env environment variable name
 * @param flag flag name without the leading dashes, or null for none
 * @param defaultValue the value when unset; null for "no value" (required, or off)
 * @param required whether a value must be given
 * @param doc one line for {@code --help} and the README
 * @param check the values it takes, checked by {@link Settings#parse} before anything reads them
 * @param secret its value is never shown (help shows no default, errors no value)
 */
public record Option(
    String env,
    String flag,
    String defaultValue,
    boolean required,
    String doc,
    Check check,
    boolean secret) {
  public static Option required(String env, String flag, String doc) {
    return new Option(env, flag, null, true, doc, Check.TEXT, false);
  }

  /**
   * An optional setting; a null default means unset, which the program reads as "off" or derives.
   */
  public static Option optional(String env, String flag, String defaultValue, String doc) {
    return new Option(env, flag, defaultValue, false, doc, Check.TEXT, false);
  }

  /** The same setting taking only what {@code check} accepts. */
  public Option checked(Check check) {
    return new Option(env, flag, defaultValue, required, doc, check, secret);
  }

  /** The same setting with a value that is never shown. */
  public Option hidden() {
    return new Option(env, flag, defaultValue, required, doc, check, true);
  }

  /** Throws a {@link ConfigException} naming this setting unless {@code value} is acceptable. */
  public long require(long value) {
    return check.require(this, value);
  }

  /** Throws a {@link ConfigException} naming this setting unless {@code value} is acceptable. */
  public String require(String value) {
    return check.require(this, value);
  }

  /** How an error message names this setting: the variable, and the flag when there is one. */
  public String label() {
    return flag == null ? env : env + " (--" + flag + ")";
  }
}
