package dev.modelsync.agent.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelsync.agent.watch.Completion.Kind;
import dev.modelsync.agent.watch.Completion.Rule;
import dev.modelsync.agent.watch.Observation.FileStat;
import dev.modelsync.agent.watch.Observation.ManifestState;
import dev.modelsync.agent.watch.Signals.Signal;
import dev.modelsync.events.Manifest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The completion rules inotify's signals add, and how signals add up per unit. */
class CompletionSignalsTest {
  private static final long QUIET = 500;
  private static final FileStat MODEL = new FileStat("model.onnx", 100, 1, false);
  private static final FileStat JSON = new FileStat("model.json", 40, 2, false);
  private static final FileStat TMP = new FileStat("model.onnx.tmp", 10, 3, true);
  private static final Manifest MANIFEST =
      new Manifest("OnnxRuntime", "model.onnx", null, null, null, null, null, null);

  private static Observation obs(Signal signal, FileStat... files) {
    return new Observation(List.of(files), ManifestState.ABSENT, null, false, signal);
  }

  @Test
  @DisplayName("a move-in or a writer's close completes at once, naming its rule")
  void moveAndClose() {
    var moved = Completion.decide(obs(Signal.MOVED_IN, MODEL), 0, QUIET);
    assertEquals(Kind.COMPLETE, moved.kind());
    assertEquals(Rule.MOVED_IN, moved.rule());
    var closed = Completion.decide(obs(Signal.CLOSED, MODEL), 0, QUIET);
    assertEquals(Kind.COMPLETE, closed.kind());
    assertEquals(Rule.CLOSED, closed.rule());
    assertEquals(Rule.QUIET, Completion.decide(obs(Signal.NONE, MODEL), QUIET, QUIET).rule());
  }

  @Test
  @DisplayName("a moved-in directory with a partial file inside waits")
  void moveWithPartialFile() {
    assertEquals(Kind.WAIT, Completion.decide(obs(Signal.MOVED_IN, MODEL, TMP), 0, QUIET).kind());
  }

  @Test
  @DisplayName("an open writer holds back every rule, the quiet one until its cap")
  void openWriter() {
    var withManifest =
        new Observation(List.of(MODEL, JSON), ManifestState.VALID, MANIFEST, true, Signal.WRITING);
    var d = Completion.decide(withManifest, QUIET * 4, QUIET);
    assertEquals(Kind.WAIT, d.kind());
    assertEquals(QUIET, d.recheckInMs());
    var nearCap = Completion.decide(withManifest, Completion.OPEN_WRITER_MS - 10, QUIET);
    assertEquals(10, nearCap.recheckInMs());
    assertEquals(
        Kind.WAIT, Completion.decide(obs(Signal.WRITING, MODEL), QUIET * 10, QUIET).kind());
    var capped = Completion.decide(obs(Signal.WRITING, MODEL), Completion.OPEN_WRITER_MS, QUIET);
    assertEquals(Rule.QUIET, capped.rule());
  }

  @Test
  @DisplayName("signals: a directory is writing while a file inside is, moved in until written")
  void signalsPerUnit() {
    Path models = Path.of("/m");
    Signals signals = new Signals();
    SaveUnit dir = new SaveUnit("a", 1, models.resolve("a/1"), "a/1");
    SaveUnit file = new SaveUnit("b", 0, models.resolve("b.onnx"), "b.onnx");
    assertEquals(Signal.NONE, signals.of(dir));
    signals.movedIn(dir.source());
    assertEquals(Signal.MOVED_IN, signals.of(dir));
    assertEquals(true, signals.written(dir.source().resolve("model.onnx")));
    assertEquals(false, signals.written(dir.source().resolve("model.onnx")));
    assertEquals(Signal.WRITING, signals.of(dir));
    signals.closed(dir.source().resolve("model.onnx"));
    // a close inside a directory completes nothing, and the write undid the move-in
    assertEquals(Signal.NONE, signals.of(dir));
    signals.written(file.source());
    assertEquals(Signal.WRITING, signals.of(file));
    signals.closed(file.source());
    assertEquals(Signal.CLOSED, signals.of(file));
    signals.forget(file.source());
    assertEquals(Signal.NONE, signals.of(file));
    signals.written(file.source());
    signals.clear();
    assertEquals(Signal.NONE, signals.of(file));
  }

  @Test
  @DisplayName(
      "a move-in forgets what was known below the path (a writer of the replaced tree), nothing"
          + " beside it")
  void moveInForgetsBelowOnly() {
    Path models = Path.of("/m");
    Signals signals = new Signals();
    SaveUnit replaced = new SaveUnit("a", 1, models.resolve("a/1"), "a/1");
    SaveUnit beside = new SaveUnit("a", 2, models.resolve("a/2"), "a/2");
    signals.written(replaced.source().resolve("model.onnx"));
    signals.movedIn(beside.source());
    assertEquals(Signal.WRITING, signals.of(replaced), "a move-in beside forgets nothing here");
    signals.movedIn(replaced.source());
    assertEquals(Signal.MOVED_IN, signals.of(replaced));
    assertEquals(Signal.MOVED_IN, signals.of(beside));
  }

  @Test
  @DisplayName("an invalid model.json without a stated problem says it does not parse")
  void invalidManifestWithoutProblem() {
    var invalid =
        new Observation(List.of(MODEL, JSON), ManifestState.INVALID, null, false, Signal.NONE);
    var waiting = Completion.decide(invalid, 0, QUIET);
    assertEquals(Kind.WAIT, waiting.kind());
    assertEquals("model.json does not parse yet", waiting.reason());
    var decided = Completion.decide(invalid, QUIET, QUIET);
    assertEquals(Kind.INVALID, decided.kind());
    assertEquals("model.json does not parse", decided.reason());
  }
}
