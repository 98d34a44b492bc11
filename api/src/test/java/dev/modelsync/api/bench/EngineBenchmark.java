package dev.modelsync.api.bench;

import dev.modelsync.api.engine.EngineBench;

/**
 * Prints load time and p50 infer time per engine (ONNX Runtime, PyTorch, XGBoost) for a small
 * model, in process (no HTTP, no Kafka): what the engine itself costs a version.
 *
 * <p>{@code mvn -q -B -o -pl api exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.modelsync.api.bench.EngineBenchmark [-Dexec.args="20 5000"]}
 */
public final class EngineBenchmark {
  private EngineBenchmark() {}

  public static void main(String[] args) throws Exception {
    int loads = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int infers = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
    var figures = EngineBench.run(loads, infers);
    System.out.printf(
        "%d loads, %d single-row (1x4 FP32) predicts per engine, %d cores%n",
        loads, infers, Runtime.getRuntime().availableProcessors());
    System.out.printf(
        "%-12s %-28s %12s %12s %12s %12s%n",
        "engine", "model", "first load", "load p50", "infer p50", "infer p99");
    for (var f : figures) {
      System.out.printf(
          "%-12s %-28s %9.1f ms %9.2f ms %9.1f us %9.1f us%n",
          f.engine(), f.model(), f.firstLoadMs(), f.loadP50Ms(), f.inferP50Us(), f.inferP99Us());
    }
  }
}
