package dev.modelsync.events;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.util.Optional;

/**
 * Whatever bytes arrive on the topic, decoding fails only with an {@link EventDecodingException}:
 * never another exception or error that would kill a consumer thread. Runs as a coverage-guided
 * fuzzer for {@code maxDuration} in the build's {@code fuzz} surefire execution (JAZZER_FUZZ=1);
 * otherwise replays the seeds and past findings in {@code EventCodecFuzzTestInputs/}.
 */
class EventCodecFuzzTest {
  private final EventCodec plain = new EventCodec(URI.create("/fuzz"));
  private final EventCodec keyed =
      new EventCodec(URI.create("/fuzz"), Optional.of(EventKey.of("f".repeat(32))));

  @FuzzTest(maxDuration = "20s")
  @DictionaryEntries({
    "\"specversion\"",
    "\"1.0\"",
    "\"0.3\"",
    "\"id\"",
    "\"source\"",
    "\"type\"",
    "\"subject\"",
    "\"time\"",
    "\"datacontenttype\"",
    "\"application/json\"",
    "\"text/plain\"",
    "\"data\"",
    "\"data_base64\"",
    "\"datacontentencoding\"",
    "\"modelsyncsig\"",
    "\"dev.modelsync.model.saved\"",
    "\"dev.modelsync.model.deleted\"",
    "\"dev.modelsync.model.loaded\"",
    "\"dev.modelsync.model.load_failed\"",
    "\"model\"",
    "\"version\"",
    "\"digest\"",
    "\"files\"",
    "\"manifest\"",
    "\"savedAt\"",
    "\"deletedAt\"",
    "\"2026-01-01T00:00:00Z\"",
    "null",
    "true",
    "-1",
    "1e999"
  })
  void decodeFailsOnlyWithDecodingException(byte[] value) {
    decode(plain, value);
    decode(keyed, value);
  }

  private static void decode(EventCodec codec, byte[] value) {
    try {
      codec.decode(value);
    } catch (EventDecodingException expected) {
      // the one allowed failure
    }
  }
}
