package dev.modelsync.standalone.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Hosts made of network namespaces: every node gets its own namespace and an address in
 * 198.51.100.0/24 (TEST-NET-2) on a veth whose other end sits on a bridge in a namespace of its
 * own, so nothing touches the root namespace's network. Everything is named {@value #PREFIX}*, and
 * whatever a previous run left with that prefix is removed first.
 */
final class Network implements AutoCloseable {
  static final String PREFIX = "msit-";
  static final String SUBNET = "198.51.100.";
  private static final String BRIDGE_NS = PREFIX + "br";
  private final List<String> namespaces = new ArrayList<>();

  /** The bridge; fails (the caller skips) where namespaces cannot be made. */
  Network() throws IOException {
    removeLeftovers();
    namespace(BRIDGE_NS);
    ip(BRIDGE_NS, "link", "add", "br0", "type", "bridge");
    ip(BRIDGE_NS, "link", "set", "br0", "up");
  }

  /** A node named {@code name} with address {@code 198.51.100.<host>}. */
  String node(String name, int host) throws IOException {
    String ns = PREFIX + name;
    namespace(ns);
    String inside = ns + "-a";
    String outside = ns + "-b";
    run("ip", "link", "add", inside, "type", "veth", "peer", "name", outside);
    run("ip", "link", "set", inside, "netns", ns);
    run("ip", "link", "set", outside, "netns", BRIDGE_NS);
    ip(ns, "addr", "add", SUBNET + host + "/24", "dev", inside);
    ip(ns, "link", "set", inside, "up");
    ip(BRIDGE_NS, "link", "set", outside, "master", "br0");
    ip(BRIDGE_NS, "link", "set", outside, "up");
    return SUBNET + host;
  }

  /** Limits what the node receives (its downloads) to {@code rate}, such as {@code 16mbit}. */
  void shape(String name, String rate) throws IOException {
    run(
        "ip",
        "netns",
        "exec",
        BRIDGE_NS,
        "tc",
        "qdisc",
        "add",
        "dev",
        PREFIX + name + "-b",
        "root",
        "tbf",
        "rate",
        rate,
        "burst",
        "64kb",
        "latency",
        "2s");
  }

  /** Pulls the node's cable out of the bridge ({@code false}) or plugs it back in. */
  void link(String name, boolean up) throws IOException {
    ip(BRIDGE_NS, "link", "set", PREFIX + name + "-b", up ? "up" : "down");
  }

  /** Starts {@code command} in the node's namespace with only {@code env} of ours. */
  Process start(String name, List<String> command, Map<String, String> env, Path log)
      throws IOException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", PREFIX + name));
    full.addAll(command);
    ProcessBuilder builder =
        new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile());
    builder
        .environment()
        .keySet()
        .removeIf(k -> k.startsWith("MODELSYNC_") || k.startsWith("KAFKA_"));
    builder.environment().putAll(env);
    return builder.start();
  }

  /** Runs {@code curl} in the node's namespace: {@code "<status> <body>"}. */
  String curl(String name, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                PREFIX + name,
                "curl",
                "-s",
                "-m",
                "5",
                "-w",
                "\n%{http_code}"));
    command.addAll(List.of(args));
    String out = output(command, false);
    int nl = out.lastIndexOf('\n');
    return out.substring(nl + 1).trim() + " " + (nl < 0 ? "" : out.substring(0, nl));
  }

  private void namespace(String ns) throws IOException {
    run("ip", "netns", "add", ns);
    namespaces.add(ns);
    ip(ns, "link", "set", "lo", "up");
  }

  private static void ip(String ns, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, "ip"));
    command.addAll(List.of(args));
    output(command, true);
  }

  private static void run(String... command) throws IOException {
    output(List.of(command), true);
  }

  private static String output(List<String> command, boolean check) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish");
      }
      if (check && p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + out.trim());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Removes namespaces and root-namespace links named {@value #PREFIX}* (a crashed run's). */
  static void removeLeftovers() throws IOException {
    for (String line : output(List.of("ip", "netns", "list"), false).split("\n")) {
      String ns = line.split(" ")[0].trim();
      if (ns.startsWith(PREFIX)) {
        output(List.of("ip", "netns", "del", ns), false);
      }
    }
    for (String line : output(List.of("ip", "-o", "link", "show"), false).split("\n")) {
      String[] parts = line.split(":\\s+");
      if (parts.length > 1) {
        String link = parts[1].split("@")[0];
        if (link.startsWith(PREFIX)) {
          output(List.of("ip", "link", "del", link), false);
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      output(List.of("ip", "netns", "del", namespaces.get(i)), false);
    }
    removeLeftovers();
  }
}
