package dev.modelsync.standalone;

import dev.modelsync.agent.AgentConfig;
import dev.modelsync.api.ApiConfig;
import dev.modelsync.config.Settings;

/** Prints the README's configuration tables from the options the programs really read. */
public final class ConfigDocs {
  private ConfigDocs() {}

  public static void main(String[] args) {
    System.out.println(
        "**Standalone** (`java -jar standalone/target/modelsync-standalone.jar`; also passes the agent's and api's variables on):\n");
    System.out.println(Settings.describe(StandaloneConfig.OPTIONS));
    System.out.println("**Agent** (`java -jar agent/target/modelsync-agent.jar`):\n");
    System.out.println(Settings.describe(AgentConfig.OPTIONS));
    System.out.println("**API** (`java -jar api/target/modelsync-api.jar`):\n");
    System.out.print(Settings.describe(ApiConfig.OPTIONS));
  }
}
