package dev.modelsync.standalone.netns;

import dev.modelsync.kafka.EmbeddedKafka;
import java.nio.file.Path;

/**
 * The embedded broker as its own process, bound to an address of the network namespace it runs in:
 * {@code BrokerMain <logDir> <host> <port>}. Prints a ready line and runs until its standard input
 * closes (the test ends or dies).
 */
public final class BrokerMain {
  static final String READY = "BROKER READY";

  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    try (EmbeddedKafka kafka =
        EmbeddedKafka.at(Path.of(args[0]), args[1], Integer.parseInt(args[2])).start()) {
      System.out.println(READY + " " + kafka.bootstrapServers());
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the parent to go away
      }
    }
  }
}
