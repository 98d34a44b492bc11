package dev.modelsync.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The known answers in src/test/resources/vectors, computed with sha256sum and openssl (README.md
 * there), never with this code. notebook-image/tests/test_vectors.py reads the same files.
 */
class VectorsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  static JsonNode vectors(String name) throws IOException {
    try (InputStream in = VectorsTest.class.getResourceAsStream("/vectors/" + name)) {
      return MAPPER.readTree(in);
    }
  }

  static Stream<JsonNode> treeCases() throws IOException {
    List<JsonNode> cases = new ArrayList<>();
    vectors("tree-digest.json").get("cases").forEach(cases::add);
    return cases.stream();
  }

  static Stream<JsonNode> signatureCases() throws IOException {
    List<JsonNode> cases = new ArrayList<>();
    vectors("signature.json").get("cases").forEach(cases::add);
    return cases.stream();
  }

  /** Writes a case's files under {@code root}. */
  static void writeFiles(JsonNode treeCase, Path root) throws IOException {
    Files.createDirectories(root);
    for (JsonNode file : treeCase.get("files")) {
      Path path = root.resolve(file.get("path").asText());
      Files.createDirectories(path.getParent());
      Files.write(path, contents(file));
    }
  }

  private static byte[] contents(JsonNode file) {
    return file.has("hex")
        ? HexFormat.of().parseHex(file.get("hex").asText())
        : file.get("utf8").asText().getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("treeCases")
  @DisplayName("the digest of a directory is the known answer, and its files are fed in that order")
  void treeDigest(JsonNode treeCase) throws Exception {
    Path root = dir.resolve("v");
    writeFiles(treeCase, root);
    List<String> order = new ArrayList<>();
    treeCase.get("order").forEach(n -> order.add(n.asText()));
    assertEquals(order, Digests.listFiles(root));
    assertEquals(treeCase.get("digest").asText(), Digests.ofDirectory(root));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("treeCases")
  @DisplayName("a reader streaming the files in order (fileHeader, contents) gets the same answer")
  void streamedDigest(JsonNode treeCase) {
    MessageDigest tree = Digests.sha256();
    for (JsonNode ordered : treeCase.get("order")) {
      String name = ordered.asText();
      byte[] bytes = contentsOf(treeCase, name);
      Digests.fileHeader(tree, name, bytes.length);
      tree.update(bytes);
    }
    assertEquals(treeCase.get("digest").asText(), Digests.text(tree));
  }

  @Test
  @DisplayName("a size above 2^32 fills the high bytes of the length, big-endian")
  void largeSizeHeader() {
    MessageDigest header = Digests.sha256();
    Digests.fileHeader(header, "x", 0x0102030405060708L);
    MessageDigest expected = Digests.sha256();
    expected.update(HexFormat.of().parseHex("78000102030405060708"));
    assertEquals(Digests.text(expected), Digests.text(header));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("signatureCases")
  @DisplayName("the signature of a fixed event under a fixed key is the known answer")
  void signature(JsonNode sigCase) throws Exception {
    EventSigner signer =
        new EventSigner(EventKey.of(vectors("signature.json").get("key").asText()));
    CloudEventBuilder builder =
        CloudEventBuilder.v1()
            .withId(sigCase.get("id").asText())
            .withSource(URI.create("/vectors"))
            .withType(sigCase.get("type").asText());
    if (!sigCase.get("subject").isNull()) {
      builder.withSubject(sigCase.get("subject").asText());
    }
    if (!sigCase.get("data").isNull()) {
      builder.withData(sigCase.get("data").asText().getBytes(StandardCharsets.UTF_8));
    }
    CloudEvent event = builder.build();
    String expected = sigCase.get("signature").asText();
    assertEquals(expected, signer.signature(event));
    CloudEvent signed =
        CloudEventBuilder.v1(event).withExtension(EventSigner.EXTENSION, expected).build();
    assertTrue(signer.verify(signed).valid());
    CloudEvent flipped =
        CloudEventBuilder.v1(event)
            .withExtension(EventSigner.EXTENSION, expected.substring(1) + "A")
            .build();
    assertNotEquals(EventSigner.Verdict.VALID, signer.verify(flipped).verdict());
  }

  @Test
  @DisplayName("a wire event signed by another producer decodes with the key, its data compacted")
  void wireEvent() throws Exception {
    JsonNode vectors = vectors("signature.json");
    EventCodec codec =
        new EventCodec(
            URI.create("/vectors"), Optional.of(EventKey.of(vectors.get("key").asText())));
    byte[] wire = vectors.get("wire").get("event").asText().getBytes(StandardCharsets.UTF_8);
    ModelEvent decoded = codec.decode(wire);
    assertEquals(
        new ModelDeleted("iris", 2, "sha256:00", Instant.parse("2026-11-22T10:15:30Z")), decoded);
  }

  private static byte[] contentsOf(JsonNode treeCase, String name) {
    for (JsonNode file : treeCase.get("files")) {
      if (file.get("path").asText().equals(name)) {
        return contents(file);
      }
    }
    throw new IllegalArgumentException(name);
  }
}
