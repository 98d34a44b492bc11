package dev.modelsync.api;

import dev.modelsync.events.ModelEvent;
import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.RolloutDecided;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the rollout tests look at: answers and their versions, a replica's rollout through {@code
 * GET /v2/repository/models/{m}/rollout}, and the decisions on the events topic.
 */
final class RolloutProbe implements AutoCloseable {
  private final Harness h;
  private final List<RolloutDecided> decisions = new ArrayList<>();
  private KafkaConsumer<byte[], byte[]> consumer;

  RolloutProbe(Harness h) {
    this.h = h;
  }

  /** Saves {@code onnx} as {@code version} with {@code rollout} in its model.json. */
  ModelSaved saveWithRollout(String model, long version, byte[] onnx, String rollout)
      throws Exception {
    return h.saveWithManifest(model, version, onnx, "\"rollout\": " + rollout);
  }

  /**
   * Serves affine(1) as version 1 of {@code model} on {@code api}, saves {@code candidate} as
   * version 2 with {@code rollout} and waits until its rollout is under way there.
   */
  void startRollout(Api api, String model, byte[] candidate, String rollout) throws Exception {
    h.save(model, 1, 1f);
    h.awaitAnswer(api, model, 1f);
    saveWithRollout(model, 2, candidate, rollout);
    awaitRollout(api, model);
  }

  /** The answer of {@code POST /v2/models/{m}/infer} to {@code x} (rows of 4); 200 or fails. */
  JsonObject infer(Api api, String model, float... x) throws Exception {
    var r = h.post(api, "/v2/models/" + model + "/infer", Harness.inferBody(x));
    if (r.statusCode() != 200) {
      throw new AssertionError(r.statusCode() + " " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  /** The answer to [1, 2, 3, 4], or null when there is none (yet). */
  JsonObject inferQuietly(Api api, String model) {
    try {
      return infer(api, model, 1, 2, 3, 4);
    } catch (Exception | AssertionError e) {
      return null;
    }
  }

  /** The model's rollout on this replica, or null when none is under way. */
  JsonObject rollout(Api api, String model) throws Exception {
    var r = h.get(api, "/v2/repository/models/" + model + "/rollout");
    if (r.statusCode() == 404) {
      return null;
    }
    if (r.statusCode() != 200) {
      throw new AssertionError(r.statusCode() + " " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  JsonObject rolloutQuietly(Api api, String model) {
    try {
      return rollout(api, model);
    } catch (Exception | AssertionError e) {
      return null;
    }
  }

  /** The canary's share on this replica; 0 without a rollout. */
  int share(Api api, String model) throws Exception {
    JsonObject r = rollout(api, model);
    return r == null ? 0 : r.getInteger("share");
  }

  int shareQuietly(Api api, String model) {
    JsonObject r = rolloutQuietly(api, model);
    return r == null ? 0 : r.getInteger("share");
  }

  /** Waits until the model's rollout started (a candidate only just added shows "starting"). */
  void awaitRollout(Api api, String model) throws InterruptedException {
    Harness.eventually(
        model + " rollout under way",
        () -> {
          JsonObject r = rolloutQuietly(api, model);
          return r != null && !"starting".equals(r.getString("policy"));
        });
  }

  JsonObject awaitMeasures(Api api, String model, Predicate<JsonObject> match)
      throws InterruptedException {
    JsonObject[] found = new JsonObject[1];
    Harness.eventually(
        model + " measures",
        () -> {
          found[0] = rolloutQuietly(api, model);
          return found[0] != null && match.test(found[0].getJsonObject("measures"));
        });
    return found[0];
  }

  /** Every rollout decision on the events topic so far, in topic order. */
  List<RolloutDecided> decisions() {
    if (consumer == null) {
      Map<String, Object> props = new HashMap<>();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, h.kafka.bootstrapServers());
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      var c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      var infos = c.partitionsFor(h.eventsTopic, Duration.ofSeconds(5));
      List<TopicPartition> tps =
          infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      consumer = c;
    }
    var tps = consumer.assignment();
    var end = consumer.endOffsets(tps);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
        && System.nanoTime() < deadline) {
      for (var r : consumer.poll(Duration.ofMillis(100))) {
        try {
          ModelEvent e = h.codec().decode(r.value());
          if (e instanceof RolloutDecided d) {
            decisions.add(d);
          }
        } catch (Exception e) {
          throw new AssertionError("bad event record", e);
        }
      }
    }
    return List.copyOf(decisions);
  }

  RolloutDecided awaitDecision(String type, String model, long version)
      throws InterruptedException {
    RolloutDecided[] found = new RolloutDecided[1];
    Harness.eventually(
        type + " of " + model + " v" + version,
        () -> {
          found[0] =
              decisions().stream()
                  .filter(
                      d ->
                          d.type().equals(type)
                              && d.model().equals(model)
                              && d.version() == version)
                  .findFirst()
                  .orElse(null);
          return found[0] != null;
        });
    return found[0];
  }

  @Override
  public void close() {
    if (consumer != null) {
      consumer.close();
    }
  }
}
