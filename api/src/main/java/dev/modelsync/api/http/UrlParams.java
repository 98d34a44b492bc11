package dev.modelsync.api.http;

import dev.modelsync.events.ModelNames;

/**
 * Model names and versions as they come in URLs: one that cannot exist is a 400 saying why, before
 * any lookup; a valid one that is not loaded is the caller's 404.
 */
final class UrlParams {
  private UrlParams() {}

  /** The version a URL names; 0 (the serving one) when it names none. */
  static long version(String model, String versionText) {
    if (versionText == null) {
      return 0;
    }
    long version = ModelNames.parseVersion(versionText);
    if (version < 1) {
      throw ApiError.badRequest(
          "version '" + clip(versionText) + "' of model '" + model + "' is not a positive integer");
    }
    return version;
  }

  /** A 400 for a model name that cannot exist (the agent never publishes one). */
  static void checkName(String model) {
    if (!ModelNames.isValid(model)) {
      throw ApiError.badRequest(
          "'"
              + clip(model)
              + "' is not a valid model name: 1 to 128 letters, digits, '.', '_' or '-',"
              + " starting with a letter or digit");
    }
  }

  /** Enough of a client's text to recognise it in a message, not a copy of a huge path. */
  private static String clip(String text) {
    return text == null || text.length() <= 140 ? text : text.substring(0, 140) + "…";
  }
}
