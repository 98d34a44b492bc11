package dev.modelsync.agent.http;

/**
 * One {@code Range: bytes=...} request header against a file of known size (RFC 9110 section 14):
 * {@code a-b}, {@code a-} and the suffix form {@code -n}. Several ranges, other units and malformed
 * headers are ignored (the whole file is sent, as the RFC allows); a well-formed range starting
 * past the end is unsatisfiable.
 *
 * @param start first byte, inclusive
 * @param end last byte, inclusive
 */
record ByteRange(long start, long end) {
  /** The header asks for the whole file (absent, ignored, or covering everything). */
  static final ByteRange WHOLE = new ByteRange(0, -1);

  /** The header asks only for bytes past the end: answer 416. */
  static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

  static ByteRange parse(String header, long size) {
    if (header == null) {
      return WHOLE;
    }
    String h = header.trim();
    // (PIT: ">= 0" as "> 0" is equivalent: h starts with "bytes=", so no comma is at 0)
    if (!h.regionMatches(true, 0, "bytes=", 0, 6) || h.indexOf(',') >= 0) {
      return WHOLE;
    }
    String spec = h.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return WHOLE;
    }
    long first = number(spec.substring(0, dash).trim());
    long last = number(spec.substring(dash + 1).trim());
    if (dash == 0) { // suffix: the last n bytes
      if (last <= 0) {
        return last == 0 ? UNSATISFIABLE : WHOLE;
      }
      return size == 0 ? UNSATISFIABLE : new ByteRange(Math.max(0, size - last), size - 1);
    }
    if (first < 0 || (dash < spec.length() - 1 && (last < 0 || last < first))) {
      return WHOLE;
    }
    if (first >= size) {
      return UNSATISFIABLE;
    }
    long end = dash == spec.length() - 1 ? size - 1 : Math.min(last, size - 1);
    return new ByteRange(first, end);
  }

  boolean whole() {
    return this == WHOLE;
  }

  boolean unsatisfiable() {
    return this == UNSATISFIABLE;
  }

  long length() {
    return end - start + 1;
  }

  /** The {@code Content-Range} value for a 206. */
  String contentRange(long size) {
    return "bytes " + start + "-" + end + "/" + size;
  }

  private static long number(String text) {
    if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Long.parseLong(text);
  }
}
