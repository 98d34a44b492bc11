package dev.modelsync.agent.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelsync.agent.watch.Completion.Kind;
import dev.modelsync.agent.watch.Observation.FileStat;
import dev.modelsync.agent.watch.Observation.ManifestState;
import dev.modelsync.events.Manifest;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CompletionTest {
  private static final long QUIET = 500;
  private static final FileStat MODEL = new FileStat("model.onnx", 100, 1, false);
  private static final FileStat JSON = new FileStat("model.json", 40, 2, false);
  private static final FileStat TMP = new FileStat("model.onnx.tmp", 10, 3, true);
  private static final Manifest MANIFEST =
      new Manifest("OnnxRuntime", "model.onnx", null, null, null, null, null, null);

  private static Observation obs(List<FileStat> files, ManifestState state, boolean renamed) {
    return new Observation(files, state, state == ManifestState.VALID ? MANIFEST : null, renamed);
  }

  @Test
  @DisplayName("a model.json that parses completes a save at once")
  void manifest() {
    var d = Completion.decide(obs(List.of(MODEL, JSON), ManifestState.VALID, false), 0, QUIET);
    assertEquals(Kind.COMPLETE, d.kind());
  }

  @Test
  @DisplayName("a rename into place completes a save at once")
  void rename() {
    assertEquals(
        Kind.COMPLETE,
        Completion.decide(obs(List.of(MODEL), ManifestState.ABSENT, true), 0, QUIET).kind());
  }

  @Test
  @DisplayName(
      "a temporary file inside holds back the manifest and rename rules, not the quiet one")
  void partialFiles() {
    var manifest = obs(List.of(MODEL, JSON, TMP), ManifestState.VALID, true);
    var d = Completion.decide(manifest, 100, QUIET);
    assertEquals(Kind.WAIT, d.kind());
    assertEquals(400, d.recheckInMs());
    assertEquals(Kind.COMPLETE, Completion.decide(manifest, QUIET, QUIET).kind());
  }

  @Test
  @DisplayName("without rename or manifest a save completes only after the quiet period")
  void quiet() {
    var o = obs(List.of(MODEL), ManifestState.ABSENT, false);
    var d = Completion.decide(o, 499, QUIET);
    assertEquals(Kind.WAIT, d.kind());
    assertEquals(1, d.recheckInMs());
    assertEquals(Kind.COMPLETE, Completion.decide(o, 500, QUIET).kind());
  }

  @Test
  @DisplayName("empty or unknown files, or a model.json that does not parse, never complete")
  void invalid() {
    var empty = obs(List.of(new FileStat("model.onnx", 0, 1, false)), ManifestState.ABSENT, true);
    assertEquals(Kind.WAIT, Completion.decide(empty, 0, QUIET).kind());
    assertEquals(Kind.INVALID, Completion.decide(empty, QUIET, QUIET).kind());
    var unknown = obs(List.of(new FileStat("notes.txt", 9, 1, false)), ManifestState.ABSENT, true);
    assertEquals(Kind.INVALID, Completion.decide(unknown, QUIET, QUIET).kind());
    var badJson = obs(List.of(MODEL, JSON), ManifestState.INVALID, true);
    assertEquals(Kind.WAIT, Completion.decide(badJson, 0, QUIET).kind());
    assertEquals(Kind.INVALID, Completion.decide(badJson, QUIET, QUIET).kind());
  }

  @Test
  @DisplayName("a file named by the manifest counts as the model whatever its extension")
  void manifestNamesTheFile() {
    var file = new FileStat("weights.bin", 10, 1, false);
    var o =
        new Observation(
            List.of(file, JSON),
            ManifestState.VALID,
            new Manifest("XGBoost", "weights.bin", null, null, null, null, null, null),
            false);
    assertEquals(Kind.COMPLETE, Completion.decide(o, 0, QUIET).kind());
  }

  @Test
  @DisplayName("the fingerprint changes with any size or time and ignores nothing")
  void fingerprint() {
    var a = obs(List.of(MODEL), ManifestState.ABSENT, false);
    var b = obs(List.of(new FileStat("model.onnx", 101, 1, false)), ManifestState.ABSENT, false);
    var c = obs(List.of(MODEL, TMP), ManifestState.ABSENT, false);
    assertEquals(a.fingerprint(), obs(List.of(MODEL), ManifestState.ABSENT, true).fingerprint());
    assertEquals(false, a.fingerprint().equals(b.fingerprint()));
    assertEquals(false, a.fingerprint().equals(c.fingerprint()));
    assertEquals(List.of(MODEL), c.snapshotFiles());
  }

  @Test
  @DisplayName("each rule's metric label is its name in lower case")
  void ruleLabels() {
    assertEquals(
        List.of("manifest", "moved_in", "closed", "renamed", "quiet"),
        java.util.Arrays.stream(Completion.Rule.values()).map(Completion.Rule::label).toList());
  }
}
