package dev.modelsync.config;

import java.util.regex.Pattern;

/** What a listen address may be: an IPv4 or IPv6 literal, or a DNS host name. Pure. */
final class ListenAddress {
  private static final Pattern IPV4 =
      Pattern.compile(
          "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
              + "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  private static final Pattern LABEL =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  private ListenAddress() {}

  static boolean isValid(String host) {
    if (host == null || host.isEmpty() || host.length() > 253) {
      return false;
    }
    if (host.contains(":")) {
      return IPV6.matcher(host).matches() && validIpv6(host);
    }
    if (host.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
      return IPV4.matcher(host).matches();
    }
    for (String label : host.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  /** An IPv6 literal: eight groups, or fewer with one "::"; an IPv4 tail counts as two groups. */
  private static boolean validIpv6(String host) {
    int doubleColon = host.indexOf("::");
    if (doubleColon >= 0 && host.indexOf("::", doubleColon + 1) >= 0) {
      return false;
    }
    String[] parts = host.split(":", -1);
    int groups = 0;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (part.isEmpty()) {
        continue; // the ends of "::"
      }
      if (part.contains(".")) {
        if (i != parts.length - 1 || !IPV4.matcher(part).matches()) {
          return false;
        }
        groups += 2;
      } else if (part.length() > 4) {
        return false;
      } else {
        groups++;
      }
    }
    if (host.startsWith(":") && !host.startsWith("::")
        || host.endsWith(":") && !host.endsWith("::")) {
      return false;
    }
    return doubleColon >= 0 ? groups < 8 : groups == 8;
  }
}
