package dev.modelsync.standalone.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.events.Digests;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventTypes;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.events.Topics;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.standalone.StandaloneHarness;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TamperedStoreTest {
  static final String MODEL = "tamper";

  @Test
  @DisplayName(
      "a store file altered after its version was published is refused at load: version 1 keeps"
          + " serving and model.load_failed says digest mismatch")
  void alteredFileRefused(@TempDir Path dir) throws Exception {
    try (var system = StandaloneHarness.start(dir)) {
      int api = system.apiPort();
      StandaloneHarness.saveVersion(system.modelsDir(), MODEL, 1, OnnxModelWriter.affine(1f));
      Faults.awaitAnswer(api, MODEL, "[10.0,11.0,12.0]", Duration.ofSeconds(30));
      ModelSaved v1 =
          (ModelSaved)
              Faults.readAll(system.bootstrapServers(), Topics.MODEL_EVENTS).stream()
                  .filter(e -> e instanceof ModelSaved && e.model().equals(MODEL))
                  .findFirst()
                  .orElseThrow();

      // Version 2 as the agent would store and publish it, then one byte of it changes.
      Path v1Dir = system.storeDir().resolve(MODEL).resolve("1");
      Path v2Dir = Files.createDirectories(system.storeDir().resolve(MODEL).resolve("2"));
      Files.copy(v1Dir.resolve("model.json"), v2Dir.resolve("model.json"));
      byte[] onnx = OnnxModelWriter.affine(2f);
      Files.write(v2Dir.resolve("model.onnx"), onnx);
      String digest = Digests.ofDirectory(v2Dir);
      List<ModelSaved.FileEntry> files = new ArrayList<>();
      for (String name : List.of("model.json", "model.onnx")) {
        byte[] bytes = Files.readAllBytes(v2Dir.resolve(name));
        files.add(
            new ModelSaved.FileEntry(
                name, bytes.length, HexFormat.of().formatHex(Digests.sha256().digest(bytes))));
      }
      ModelSaved v2 =
          new ModelSaved(
              MODEL,
              2,
              digest,
              v1.size() - v1.files().get(1).size() + onnx.length,
              v1.engine(),
              files,
              MODEL + "/2",
              v1.manifest(),
              Instant.now(),
              null);
      onnx[onnx.length - 1] ^= 1;
      Files.write(v2Dir.resolve("model.onnx"), onnx);
      publish(system.bootstrapServers(), v2);

      ModelStatus failed =
          Faults.awaitStatus(
              system.bootstrapServers(),
              s ->
                  s.model().equals(MODEL)
                      && s.version() == 2
                      && s.type().equals(EventTypes.LOAD_FAILED),
              Duration.ofSeconds(30));
      System.out.println("model.load_failed reason: " + failed.reason());
      assertTrue(failed.reason().contains("digest mismatch"), failed.reason());
      assertEquals("[10.0,11.0,12.0]", Faults.answer(api, MODEL), "version 1 keeps serving");
      assertEquals(404, Faults.get(api, "/v2/models/" + MODEL + "/versions/2/ready").statusCode());
    }
  }

  private static void publish(String bootstrap, ModelSaved event) throws Exception {
    Map<String, Object> props =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    EventCodec codec = new EventCodec(URI.create("/faults-test"));
    try (var producer = new KafkaProducer<String, byte[]>(props)) {
      producer
          .send(new ProducerRecord<>(Topics.MODEL_EVENTS, event.model(), codec.encode(event)))
          .get();
    }
  }
}
