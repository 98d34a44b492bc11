package dev.modelsync.agent.bucket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelsync.config.BucketConfig;
import dev.modelsync.events.Digests;
import dev.modelsync.events.Json;
import dev.modelsync.events.Manifest;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelSaved.FileEntry;
import dev.modelsync.events.ObjectLocation;
import dev.modelsync.onnx.OnnxModelWriter;
import dev.modelsync.testkit.s3.S3Calls;
import dev.modelsync.testkit.s3.S3Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

class UploaderTest {
  private static S3Proxy s3;
  private static S3Client client;

  @TempDir Path store;

  @BeforeAll
  static void startS3() {
    s3 = S3Proxy.onFreePort().start().createBucket("models");
    client = s3.client();
  }

  @AfterAll
  static void stopS3() {
    client.close();
    s3.close();
  }

  private BucketConfig config() {
    return new BucketConfig("models", Optional.of(s3.endpoint()), "us-east-1", true, "team/");
  }

  /** Writes the files as a store version and builds its event. */
  private ModelSaved version(String model, long version, Map<String, byte[]> files)
      throws Exception {
    Path dir = Files.createDirectories(store.resolve(model).resolve(Long.toString(version)));
    List<FileEntry> entries = new ArrayList<>();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path file = dir.resolve(f.getKey());
      Files.createDirectories(file.getParent());
      Files.write(file, f.getValue());
    }
    long size = 0;
    for (String name : Digests.listFiles(dir)) {
      byte[] bytes = Files.readAllBytes(dir.resolve(name));
      size += bytes.length;
      entries.add(
          new FileEntry(
              name, bytes.length, HexFormat.of().formatHex(Digests.sha256().digest(bytes))));
    }
    return new ModelSaved(
        model,
        version,
        Digests.ofDirectory(dir),
        size,
        "OnnxRuntime",
        entries,
        model + "/" + version,
        new Manifest("OnnxRuntime", "model.onnx", null, null, null, null, null, null),
        Instant.now(),
        null);
  }

  private byte[] object(String key) {
    return client
        .getObjectAsBytes(GetObjectRequest.builder().bucket("models").key(key).build())
        .asByteArray();
  }

  @Test
  @DisplayName(
      "every file goes up under <prefix><model>/<version>/<file>, the manifest object last")
  void uploadsFilesThenManifest() throws Exception {
    byte[] onnx = OnnxModelWriter.affine(2f);
    byte[] notes = "notes".getBytes(StandardCharsets.UTF_8);
    ModelSaved saved = version("iris", 3, Map.of("model.onnx", onnx, "extra/notes.txt", notes));
    S3Calls calls = new S3Calls(client);

    ObjectLocation location =
        new Uploader(calls.client, config()).upload(saved, store.resolve("iris/3"));

    assertEquals("s3://models/team/iris/3/", location.toString());
    assertEquals(
        List.of(
            "get team/iris/3/.modelsync-manifest.json",
            "put team/iris/3/extra/notes.txt",
            "put team/iris/3/model.onnx",
            "put team/iris/3/.modelsync-manifest.json"),
        calls.calls);
    assertArrayEquals(onnx, object("team/iris/3/model.onnx"));
    assertArrayEquals(notes, object("team/iris/3/extra/notes.txt"));
    JsonNode manifest = Json.newMapper().readTree(object("team/iris/3/.modelsync-manifest.json"));
    assertEquals(saved.digest(), manifest.path("digest").asText());
    assertEquals(2, manifest.path("files").size());
    assertFalse(manifest.has("objectLocation"), "the manifest is the event before it is sent");
  }

  @Test
  @DisplayName(
      "a version complete in the bucket is not uploaded again; another digest under its keys is"
          + " refused")
  void immutableKeys() throws Exception {
    ModelSaved saved = version("m", 1, Map.of("model.onnx", OnnxModelWriter.affine(3f)));
    new Uploader(client, config()).upload(saved, store.resolve("m/1"));
    S3Calls calls = new S3Calls(client);
    Uploader uploader = new Uploader(calls.client, config());

    uploader.upload(saved, store.resolve("m/1"));
    assertEquals(List.of("get team/m/1/.modelsync-manifest.json"), calls.calls);

    ModelSaved other =
        new ModelSaved(
            "m",
            1,
            "sha256:" + "0".repeat(64),
            saved.size(),
            saved.engine(),
            saved.files(),
            saved.artifact(),
            saved.manifest(),
            saved.savedAt(),
            null);
    Uploader.ConflictException e =
        assertThrows(
            Uploader.ConflictException.class, () -> uploader.upload(other, store.resolve("m/1")));
    assertTrue(e.getMessage().contains("immutable"), e.getMessage());
    assertTrue(calls.calls.stream().noneMatch(c -> c.startsWith("put")), "nothing overwritten");
    assertEquals(
        saved.digest(),
        Json.newMapper()
            .readTree(object("team/m/1/.modelsync-manifest.json"))
            .path("digest")
            .asText());
  }
}
