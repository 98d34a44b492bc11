package dev.modelsync.api.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.OnnxBench;
import dev.modelsync.api.engine.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * CPU time of one single-row (1x4 FP32) predict on the affine model, measured on this thread in
 * alternating rounds of one run: {@code OnnxModel.predict} (inputs from this thread's direct
 * buffers, outputs written into lent buffers) against the same session called the plain way (heap
 * arrays, which ONNX Runtime copies into a direct buffer per call, and an output tensor made by its
 * native code and copied out). CPU time, not wall time, so a busy machine changes little.
 *
 * <pre>java -cp &lt;api test classpath&gt; dev.modelsync.api.bench.OnnxRunBenchmark [predicts]
 * </pre>
 */
public final class OnnxRunBenchmark {
  private OnnxRunBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    try (LoadedModel m = OnnxBench.affine()) {
      OrtSession session = OnnxBench.session(m);
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      long[] shape = {1, 4};
      float[] out = new float[3];
      double[] mine = new double[5];
      double[] plain = new double[5];
      for (int round = 0; round < mine.length; round++) {
        long t = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
          var row = new Tensor("input", DataType.FP32, shape, new float[] {1, 2, 3, i});
          m.predict(List.of(row), List.of());
        }
        mine[round] = (cpu.getCurrentThreadCpuTime() - t) / 1e3 / n;
        t = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
          float[] x = {1, 2, 3, i};
          try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
              OrtSession.Result r = session.run(Map.of("input", in))) {
            ((OnnxTensor) r.get(0)).getFloatBuffer().get(out);
          }
        }
        plain[round] = (cpu.getCurrentThreadCpuTime() - t) / 1e3 / n;
        System.out.printf(
            "round %d: OnnxModel.predict %.2f us CPU, plain session.run %.2f us CPU%n",
            round + 1, mine[round], plain[round]);
      }
      java.util.Arrays.sort(mine);
      java.util.Arrays.sort(plain);
      System.out.printf(
          "median of %d rounds of %,d predicts: OnnxModel.predict %.2f us, plain %.2f us (%.2fx)%n",
          mine.length, n, mine[2], plain[2], plain[2] / mine[2]);
    }
  }
}
