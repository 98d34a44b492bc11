package dev.modelsync.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnginesTest {
  @Test
  @DisplayName("each model file extension implies one engine, in any case; other files none")
  void byExtension() {
    assertEquals(Optional.of("OnnxRuntime"), Engines.ofExtension("onnx"));
    assertEquals(Optional.of("OnnxRuntime"), Engines.ofExtension("ONNX"));
    assertEquals(Optional.of("PyTorch"), Engines.ofExtension("pt"));
    assertEquals(Optional.of("PyTorch"), Engines.ofExtension("TorchScript"));
    assertEquals(Optional.of("XGBoost"), Engines.ofExtension("json"));
    assertEquals(Optional.of("XGBoost"), Engines.ofExtension("ubj"));
    assertEquals(Optional.empty(), Engines.ofExtension("txt"));
    assertEquals(Optional.empty(), Engines.ofExtension(""));
  }

  @Test
  @DisplayName("an engine's extensions are exactly its rows of the table")
  void extensionsOf() {
    assertEquals(Set.of("onnx"), Engines.extensionsOf(Engines.ONNX_RUNTIME));
    assertEquals(Set.of("pt", "torchscript"), Engines.extensionsOf(Engines.PYTORCH));
    assertEquals(Set.of("json", "ubj"), Engines.extensionsOf(Engines.XGBOOST));
    assertEquals(Set.of(), Engines.extensionsOf("TensorFlow"));
    assertEquals(Set.of("OnnxRuntime", "PyTorch", "XGBoost"), Engines.names());
  }

  @ParameterizedTest
  @ValueSource(strings = {"model-saved.schema.json", "manifest.schema.json"})
  @DisplayName("the JSON Schemas name the same engines as the table")
  void schemasNameTheTable(String schema) throws Exception {
    try (var in = getClass().getResourceAsStream("/schemas/" + schema)) {
      assertNotNull(in, schema);
      JsonNode engines = new ObjectMapper().readTree(in).at("/properties/engine/enum");
      Set<String> names = new TreeSet<>();
      engines.forEach(n -> names.add(n.asText()));
      assertEquals(Engines.names(), names);
    }
  }
}
