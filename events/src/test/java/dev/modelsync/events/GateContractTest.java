package dev.modelsync.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GateContractTest {
  private final EventCodec codec = new EventCodec(URI.create("/modelsync/api/test"));
  private final ObjectMapper mapper = Json.newMapper();

  static final String MODEL_JSON =
      "{\"engine\": \"OnnxRuntime\", \"gate\": {\"tolerance\": {\"abs\": 1e-4},"
          + " \"cases\": [{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 2],"
          + " \"data\": [1, 2]}], \"outputs\": [{\"name\": \"y\", \"data\": [3.5],"
          + " \"tolerance\": {\"rel\": 0.01}}]}]}}";

  @Test
  @DisplayName("a model.json gate reads into the manifest and rides a saved event unchanged")
  void manifestGate() throws Exception {
    Manifest m = mapper.readValue(MODEL_JSON, Manifest.class);
    Manifest.Gate gate = m.gate();
    assertEquals(new Manifest.Tolerance(1e-4, null), gate.tolerance());
    Manifest.GateCase only = gate.cases().get(0);
    assertEquals(List.of(1.0, 2.0), only.inputs().get(0).data());
    assertEquals(
        new Manifest.ExpectedOutput("y", List.of(3.5), new Manifest.Tolerance(null, 0.01)),
        only.outputs().get(0));

    ModelSaved base = EventCodecTest.saved();
    ModelSaved saved =
        new ModelSaved(
            base.model(),
            base.version(),
            base.digest(),
            base.size(),
            base.engine(),
            base.files(),
            base.artifact(),
            m,
            base.savedAt(),
            null);
    assertEquals(saved, codec.decode(codec.encode(saved)));
  }

  @Test
  @DisplayName("a manifest without a gate writes no gate field")
  void noGate() throws Exception {
    JsonNode json =
        mapper.valueToTree(new Manifest("OnnxRuntime", null, null, null, null, null, null, null));
    assertFalse(json.has("gate"), json.toString());
  }

  @Test
  @DisplayName("model.rejected round-trips with its mismatches; other statuses carry none")
  void rejected() throws Exception {
    var mismatch = new ModelStatus.Mismatch(0, "y", 2, 3.5, 7.0, 1e-4, null);
    var status =
        new ModelStatus(
            EventTypes.REJECTED,
            "iris",
            4,
            "sha256:x",
            "api-1",
            null,
            null,
            "rejected by its gate",
            Instant.parse("2026-12-02T01:00:00Z"),
            List.of(mismatch),
            null);
    assertEquals(status, codec.decode(codec.encode(status)));
    JsonNode data = new ObjectMapper().readTree(codec.encode(status)).get("data");
    assertEquals(7.0, data.get("mismatches").get(0).get("actual").asDouble());
    assertEquals(EventTypes.REJECTED, data.get("type").asText());

    var activated =
        new ModelStatus(
            EventTypes.ACTIVATED,
            "iris",
            3,
            "sha256:y",
            "api-1",
            1L,
            2L,
            null,
            Instant.now(),
            List.of(),
            null);
    JsonNode plain = new ObjectMapper().readTree(codec.encode(activated)).get("data");
    assertTrue(activated.mismatches().isEmpty());
    assertFalse(plain.has("mismatches"), plain.toString());
  }
}
