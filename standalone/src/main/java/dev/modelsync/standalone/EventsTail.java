package dev.modelsync.standalone;

import dev.modelsync.config.ConfigException;
import dev.modelsync.config.KafkaClientConfig;
import dev.modelsync.config.Option;
import dev.modelsync.config.Settings;
import dev.modelsync.events.EventCodec;
import dev.modelsync.events.EventDecodingException;
import dev.modelsync.events.ModelDeleted;
import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelPinned;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelStatus;
import dev.modelsync.events.RolloutDecided;
import dev.modelsync.events.RolloutMeasures;
import dev.modelsync.events.Topics;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code modelsync events}: follows the events and status topics and prints one readable line per
 * event, for ops at a terminal. Reads without a consumer group (manual assignment), so it never
 * disturbs anyone else's offsets.
 */
final class EventsTail {
  static final Option KAFKA =
      Option.optional(
          "KAFKA_BOOTSTRAP_SERVERS", "kafka", "127.0.0.1:9092", "Kafka bootstrap servers");
  static final Option FROM_BEGINNING =
      Option.optional(
          "MODELSYNC_TAIL_FROM_BEGINNING", "from-beginning", "false", "Start at the oldest event");
  static final Option MAX =
      Option.optional("MODELSYNC_TAIL_MAX", "max", "0", "Stop after this many events (0 = never)");
  static final List<Option> OPTIONS = List.of(KAFKA, FROM_BEGINNING, MAX);

  private EventsTail() {}

  static int run(Map<String, String> env, String[] args) {
    return run(env, args, System.out, Duration.ofDays(365));
  }

  static int run(Map<String, String> env, String[] args, PrintStream out, Duration limit) {
    Settings settings;
    long max;
    String bootstrap;
    try {
      settings = Settings.parse(OPTIONS, env, args);
      bootstrap = settings.hostPorts(KAFKA);
      max = settings.longValue(MAX);
    } catch (ConfigException e) {
      out.println("modelsync events: " + e.getMessage());
      return 2;
    }
    boolean fromBeginning = Boolean.parseBoolean(settings.string(FROM_BEGINNING));
    Map<String, String> clientEnv = new java.util.HashMap<>(env);
    clientEnv.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    Map<String, Object> props =
        KafkaClientConfig.from(
                Settings.parse(List.of(KafkaClientConfig.BOOTSTRAP), clientEnv), clientEnv)
            .clientProperties();
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "modelsync-events-" + UUID.randomUUID());
    EventCodec codec = new EventCodec(URI.create("/modelsync/events-tail"));
    long seen = 0;
    long deadline = System.nanoTime() + limit.toNanos();
    try (var consumer = new KafkaConsumer<byte[], byte[]>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(Topics.MODEL_EVENTS, Topics.MODEL_STATUS)) {
        consumer
            .partitionsFor(topic, Duration.ofSeconds(30))
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      if (fromBeginning) {
        consumer.seekToBeginning(partitions);
      } else {
        consumer.seekToEnd(partitions);
      }
      while (System.nanoTime() < deadline && (max == 0 || seen < max)) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          out.println(describe(codec, record.value()));
          seen++;
        }
      }
    }
    return 0;
  }

  static String describe(EventCodec codec, byte[] value) {
    ModelEvent event;
    try {
      event = codec.decode(value);
    } catch (EventDecodingException e) {
      return "unreadable record: " + e.getMessage();
    }
    if (event instanceof ModelSaved s) {
      return String.format(
          "%s saved      %s v%d %s %s %d bytes (%s)",
          s.savedAt(),
          s.model(),
          s.version(),
          s.engine(),
          shortDigest(s.digest()),
          s.size(),
          s.artifact());
    } else if (event instanceof ModelDeleted d) {
      return String.format("%s deleted    %s v%d", d.deletedAt(), d.model(), d.version());
    } else if (event instanceof ModelPinned p) {
      return p.unpinned()
          ? String.format("%s unpinned   %s on %s", p.pinnedAt(), p.model(), p.replica())
          : String.format(
              "%s pinned     %s v%d on %s", p.pinnedAt(), p.model(), p.version(), p.replica());
    }
    if (event instanceof RolloutDecided d) {
      String kind = d.type().substring(d.type().lastIndexOf('.') + 1);
      StringBuilder line =
          new StringBuilder(
              String.format(
                  "%s %-10s %s v%d on %s",
                  d.decidedAt(), kind, d.model(), d.version(), d.replica()));
      if (d.type().equals(dev.modelsync.events.EventTypes.STEPPED)) {
        line.append(" to ").append(d.share()).append('%');
      }
      if (d.reason() != null) {
        line.append(" reason: ").append(d.reason());
      }
      return line.toString();
    }
    ModelStatus st = (ModelStatus) event;
    String kind = st.type().substring(st.type().lastIndexOf('.') + 1);
    StringBuilder line =
        new StringBuilder(
            String.format(
                "%s %-10s %s v%d on %s", st.at(), kind, st.model(), st.version(), st.replica()));
    if (st.loadMillis() != null) {
      line.append(" load ").append(st.loadMillis()).append(" ms");
    }
    if (st.saveToServeMillis() != null) {
      line.append(" save-to-serve ").append(st.saveToServeMillis()).append(" ms");
    }
    if (st.reason() != null) {
      line.append(" reason: ").append(st.reason());
    }
    if (st.rollout() != null) {
      line.append(' ').append(measures(st.rollout()));
    }
    return line.toString();
  }

  /** A rollout's measures in one line: a shadow's divergence, a canary's share and rates. */
  static String measures(RolloutMeasures m) {
    if ("shadow".equals(m.policy())) {
      return String.format(
          "shadow beside v%d: %d requests (%d dropped), max abs %s, mean abs %s, %s of rows"
              + " beyond tolerance, p99 %s ms",
          m.baseline(),
          m.requests(),
          m.dropped() == null ? 0 : m.dropped(),
          m.maxAbs(),
          m.meanAbs(),
          m.divergentShare(),
          m.candidateP99Ms());
    }
    return String.format(
        "canary at %s%% beside v%d: %d requests, error rate %s (served %s), p99 %s ms (served %s)",
        m.share(),
        m.baseline(),
        m.requests(),
        m.candidateErrorRate(),
        m.baselineErrorRate(),
        m.candidateP99Ms(),
        m.baselineP99Ms());
  }

  private static String shortDigest(String digest) {
    return digest.length() > 19 ? digest.substring(0, 19) : digest;
  }
}
