package dev.modelsync.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SchemaConsistencyTest {

  @ParameterizedTest(name = "{0} describes exactly the fields of {1}")
  @CsvSource({
    "model-saved.schema.json, dev.modelsync.events.ModelSaved",
    "model-deleted.schema.json, dev.modelsync.events.ModelDeleted",
    "model-pinned.schema.json, dev.modelsync.events.ModelPinned",
    "model-status.schema.json, dev.modelsync.events.ModelStatus",
    "rollout-decided.schema.json, dev.modelsync.events.RolloutDecided",
    "rollout-measures.schema.json, dev.modelsync.events.RolloutMeasures",
    "manifest.schema.json, dev.modelsync.events.Manifest"
  })
  void schemaMatchesRecord(String schema, String recordClass) throws Exception {
    try (var in = getClass().getResourceAsStream("/schemas/" + schema)) {
      assertNotNull(in, schema);
      JsonNode json = new ObjectMapper().readTree(in);
      Set<String> properties = new TreeSet<>();
      json.get("properties").fieldNames().forEachRemaining(properties::add);
      Set<String> components = new TreeSet<>();
      Arrays.stream(Class.forName(recordClass).getRecordComponents())
          .forEach(c -> components.add(c.getName()));
      assertEquals(components, properties);
    }
  }
}
