package dev.modelsync.api.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.Manifest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The datatypes of the DJL engines: XGBoost takes any number, PyTorch refuses what aborts it. */
class DjlDataTypesTest {
  @TempDir Path dir;

  @BeforeAll
  static void offline() {
    DjlEngines.configure();
  }

  private static Manifest manifest(String engine, String file, String type) {
    return new Manifest(
        engine,
        file,
        List.of(new Manifest.TensorSpec("input", type, List.of(-1L, 4L))),
        List.of(),
        null,
        null,
        null,
        null);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"BYTES"},
      mode = EnumSource.Mode.EXCLUDE)
  @DisplayName("XGBoost takes an input of every numeric datatype, as the same FP32 features")
  void xgboost(DataType type) throws Exception {
    Fixtures.write(dir, "model.ubj", Fixtures.xgboost(1, "ubj"));
    try (LoadedModel m =
        new XGBoostLoader().load("x", dir, manifest("XGBoost", "model.ubj", type.name()))) {
      assertEquals(type.name(), m.inputs().get(0).datatype());
      Object one = type.newArray(8);
      for (int i : new int[] {0, 4}) {
        if (type == DataType.BOOL) {
          ((boolean[]) one)[i] = i == 0;
        } else if (type.floating()) {
          TensorValues.setFloating(type, one, i, i == 0 ? 1 : 0);
        } else {
          TensorValues.setInteger(type, one, i, i == 0 ? 1 : 0);
        }
      }
      Tensor out =
          m.predict(List.of(new Tensor("input", type, new long[] {2, 4}, one)), List.of()).get(0);
      assertArrayEquals(new float[] {10, 0}, (float[]) out.data(), 1e-4f);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"INT16", "BF16", "UINT16", "UINT32", "UINT64", "BYTES"})
  @DisplayName("PyTorch refuses at load the datatypes that abort its native code")
  void pytorchRefuses(DataType type) throws Exception {
    Fixtures.write(dir, "model.pt", Fixtures.torchscript(1));
    var e =
        assertThrows(
            ModelLoadException.class,
            () -> new PyTorchLoader().load("t", dir, manifest("PyTorch", "model.pt", type.name())));
    assertTrue(e.getMessage().contains("datatype " + type), e.getMessage());
    assertTrue(e.getMessage().contains("DJL's PyTorch engine cannot exchange"), e.getMessage());
  }
}
