package dev.modelsync.standalone;

import dev.modelsync.agent.AgentConfig;
import dev.modelsync.api.ApiOptions;
import dev.modelsync.config.Settings;

/**
 * Prints the README's configuration tables from the options the programs really read; with {@code
 * --json}, {@code deploy/options.json} (which deploy/k8s/check.py reads).
 *
 * <pre>mvn -q -B -pl standalone exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.modelsync.standalone.ConfigDocs -Dexec.args=--json -Dstyle.color=never &gt; deploy/options.json
 * </pre>
 */
public final class ConfigDocs {
  private ConfigDocs() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("--json")) {
      System.out.print(listing());
      return;
    }
    System.out.println(
        "**Standalone** (`java -jar standalone/target/modelsync-standalone.jar`; also passes the agent's and api's variables on):\n");
    System.out.println(Settings.describe(StandaloneConfig.OPTIONS));
    System.out.println("**Agent** (`java -jar agent/target/modelsync-agent.jar`):\n");
    System.out.println(Settings.describe(AgentConfig.OPTIONS));
    System.out.println("**API** (`java -jar api/target/modelsync-api.jar`):\n");
    System.out.print(Settings.describe(ApiOptions.OPTIONS));
  }

  /** Every program's options, by program, as deploy/options.json holds them. */
  static String listing() {
    return "{\n\"agent\": "
        + Settings.listing(AgentConfig.OPTIONS)
        + ",\n\"api\": "
        + Settings.listing(ApiOptions.OPTIONS)
        + ",\n\"standalone\": "
        + Settings.listing(StandaloneConfig.OPTIONS)
        + "}\n";
  }
}
