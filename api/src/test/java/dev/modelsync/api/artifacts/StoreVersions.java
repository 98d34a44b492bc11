package dev.modelsync.api.artifacts;

import dev.modelsync.events.Digests;
import dev.modelsync.events.Manifest;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelSaved.FileEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The version both artifact sources are tested with: written to a store directory as the agent
 * does.
 */
final class StoreVersions {
  private StoreVersions() {}

  /**
   * Writes {@code model.onnx} and {@code extra/notes.txt} under {@code store/model/version} and
   * returns the event the agent would publish for them (no object location).
   */
  static ModelSaved write(Path store, String model, long version, byte[] onnx) throws Exception {
    Path dir = Files.createDirectories(store.resolve(model).resolve(Long.toString(version)));
    Files.write(dir.resolve("model.onnx"), onnx);
    Files.createDirectories(dir.resolve("extra"));
    Files.writeString(dir.resolve("extra/notes.txt"), "notes of " + version);
    List<FileEntry> files = new ArrayList<>();
    for (String name : Digests.listFiles(dir)) {
      byte[] bytes = Files.readAllBytes(dir.resolve(name));
      String sha = HexFormat.of().formatHex(Digests.sha256().digest(bytes));
      files.add(new FileEntry(name, bytes.length, sha));
    }
    return new ModelSaved(
        model,
        version,
        Digests.ofDirectory(dir),
        onnx.length,
        "OnnxRuntime",
        files,
        model + "/" + version,
        new Manifest("OnnxRuntime", "model.onnx", null, null, null, null, null, null),
        Instant.now(),
        null);
  }
}
