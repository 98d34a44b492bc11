package dev.modelsync.api.engine;

import ai.djl.Model;
import dev.modelsync.events.Engines;
import dev.modelsync.events.Manifest;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads TorchScript files ({@code .pt}, {@code .torchscript}) with DJL's PyTorch engine, when the
 * build carries it. DJL reads no signature from a TorchScript module (it records input shapes only
 * after a first forward), so the inputs come from model.json; the outputs too, else from a probe
 * run on zeros of the inputs.
 */
public final class PyTorchLoader implements ModelLoader {
  public static final String ENGINE = Engines.PYTORCH;
  static final String ARTIFACTS =
      "ai.djl.pytorch:pytorch-engine, ai.djl.pytorch:pytorch-jni and"
          + " ai.djl.pytorch:pytorch-native-cpu (classifier linux-x86_64)";

  @Override
  public String engine() {
    return ENGINE;
  }

  private static final String ENGINE_NAME = "DJL's PyTorch engine";

  /**
   * What DJL's PyTorch engine (0.35.1, PyTorch 2.7.1) exchanges. An INT16, BF16 or UINT16/32/64
   * NDArray aborts the whole process in its native code (measured), and it has no strings, so
   * models declaring those are refused at load.
   */
  static final Set<DataType> TYPES =
      EnumSet.of(
          DataType.BOOL,
          DataType.UINT8,
          DataType.INT8,
          DataType.INT32,
          DataType.INT64,
          DataType.FP16,
          DataType.FP32,
          DataType.FP64);

  @Override
  public Set<String> extensions() {
    return Engines.extensionsOf(ENGINE);
  }

  @Override
  public LoadedModel load(String name, Path dir, Manifest manifest) throws ModelLoadException {
    DjlEngines.require(ENGINE, ARTIFACTS, "pytorch");
    String file = ModelFiles.pick(dir, manifest, extensions());
    List<TensorInfo> inputs = Signatures.inputs(manifest);
    if (inputs.isEmpty()) {
      throw new ModelLoadException(
          "TorchScript model "
              + file
              + " needs its inputs (name, datatype, shape) in model.json: DJL reads no signature"
              + " from a TorchScript module");
    }
    Signatures.requireTypes(inputs, "input", TYPES, ENGINE_NAME);
    Signatures.requireTypes(Signatures.outputs(manifest), "output", TYPES, ENGINE_NAME);
    Model model;
    try {
      model = Model.newInstance(name, ENGINE);
    } catch (RuntimeException | LinkageError e) {
      throw new ModelLoadException(
          "engine PyTorch failed to start: " + OnnxRuntimeLoader.rootMessage(e), e);
    }
    try {
      model.load(dir, file, Map.of());
      DjlModel loaded =
          new DjlModel(
              model,
              "pytorch_torchscript",
              DjlModel.Flavor.TENSORS,
              inputs,
              Signatures.outputs(manifest));
      loaded.probe();
      Signatures.requireTypes(loaded.outputs(), "output", TYPES, ENGINE_NAME);
      return loaded;
    } catch (Exception | LinkageError e) {
      model.close();
      throw new ModelLoadException(
          "not a loadable TorchScript model (" + file + "): " + OnnxRuntimeLoader.rootMessage(e),
          e);
    }
  }
}
