package dev.modelsync.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectLocationTest {
  private final EventCodec codec = new EventCodec(URI.create("/modelsync/agent/test"));

  @Test
  @DisplayName("a version's keys are <prefix><model>/<version>/<file>, the manifest beside them")
  void keys() {
    ObjectLocation location = ObjectLocation.of("models", "prod/", "iris", 3);
    assertEquals("s3://models/prod/iris/3/", location.toString());
    assertEquals("prod/iris/3/sub/model.onnx", location.key("sub/model.onnx"));
    assertEquals("prod/iris/3/.modelsync-manifest.json", location.manifestKey());
    assertEquals(location, ObjectLocation.parse(location.toString()));
    assertEquals("iris/1/", ObjectLocation.of("models", "", "iris", 1).versionPrefix());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "http://models/iris/1/", "s3://models", "s3://Models/iris/1/", "s3://m/x/"})
  @DisplayName("anything but s3://<bucket>/<prefix ending in /> is refused")
  void refused(String text) {
    assertThrows(IllegalArgumentException.class, () -> ObjectLocation.parse(text));
  }

  @Test
  @DisplayName("a saved event carries its object location through the codec")
  void roundTrip() throws Exception {
    ModelSaved event = EventCodecTest.saved().withObjectLocation("s3://models/prod/iris/3/");
    assertEquals(event, codec.decode(codec.encode(event)));
  }

  @Test
  @DisplayName("an event without a location has no objectLocation field, and older events decode")
  void optional() throws Exception {
    ModelSaved event = EventCodecTest.saved();
    JsonNode data = new ObjectMapper().readTree(codec.encode(event)).get("data");
    assertFalse(data.has("objectLocation"));
    ModelSaved decoded = (ModelSaved) codec.decode(codec.encode(event));
    assertNull(decoded.objectLocation());
    assertEquals(event, decoded);
  }
}
