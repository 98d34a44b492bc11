package dev.modelsync.api.http;

import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.Batching;
import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.TensorInfo;
import dev.modelsync.api.metrics.InferenceStats;
import dev.modelsync.api.metrics.InferenceStats.Phase;
import dev.modelsync.api.metrics.VersionMeters;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Triton's model configuration and statistics extensions: {@code GET
 * /v2/models/{m}[/versions/{v}]/config}, built from the signature, and {@code GET
 * /v2/models[/{m}[/versions/{v}]]/stats}, built from each version's {@link InferenceStats}.
 */
final class TritonHandlers {
  private final Services services;

  TritonHandlers(Services services) {
    this.services = services;
  }

  /** {@code GET /v2/models/{m}[/versions/{v}]/config}. */
  void config(RoutingContext ctx) {
    ServedVersion v =
        Inference.leaseServing(services, ctx.pathParam("model"), ctx.pathParam("version"));
    try {
      MetadataHandlers.json(ctx, config(v.model(), v.loaded(), services.maxTensorBytes()));
    } finally {
      v.release();
    }
  }

  /**
   * A model's configuration as Triton writes it. A model whose every input and output has a free
   * first dimension batches: then {@code max_batch_size} is the largest batch the tensor size limit
   * lets through and {@code dims} leave the batch dimension out, as in Triton.
   */
  static JsonObject config(String name, LoadedModel model, long maxTensorBytes) {
    int maxBatch = Batching.batchable(model) ? maxBatchSize(model.inputs(), maxTensorBytes) : 0;
    JsonArray inputs = new JsonArray();
    for (TensorInfo t : model.inputs()) {
      inputs.add(
          tensor(t, maxBatch > 0)
              .put("format", "FORMAT_NONE")
              .put("is_shape_tensor", false)
              .put("allow_ragged_batch", false)
              .put("optional", false));
    }
    JsonArray outputs = new JsonArray();
    for (TensorInfo t : model.outputs()) {
      outputs.add(tensor(t, maxBatch > 0).put("label_filename", "").put("is_shape_tensor", false));
    }
    JsonObject config =
        new JsonObject()
            .put("name", name)
            .put("platform", model.platform())
            .put("backend", backend(model.platform()))
            .put("version_policy", new JsonObject().put("all", new JsonObject()))
            .put("max_batch_size", maxBatch)
            .put("input", inputs)
            .put("output", outputs);
    if (maxBatch > 0) {
      // requests that arrive together run as one stacked batch (Batcher), with no added delay
      config.put(
          "dynamic_batching",
          new JsonObject()
              .put("preferred_batch_size", new JsonArray())
              .put("max_queue_delay_microseconds", 0));
    }
    return config;
  }

  private static JsonObject tensor(TensorInfo t, boolean batched) {
    long[] shape = batched ? Arrays.copyOfRange(t.shape(), 1, t.shape().length) : t.shape();
    JsonArray dims = new JsonArray();
    for (long d : shape) {
      dims.add(d);
    }
    return new JsonObject()
        .put("name", t.name())
        .put("data_type", tritonType(t.datatype()))
        .put("dims", dims);
  }

  /** Triton's name of a KServe datatype: TYPE_ and the same name, but BYTES is TYPE_STRING. */
  static String tritonType(String datatype) {
    if ("BYTES".equals(datatype)) {
      return "TYPE_STRING";
    }
    return datatype == null || datatype.isEmpty()
        ? "TYPE_INVALID"
        : "TYPE_" + datatype.toUpperCase(Locale.ROOT);
  }

  /**
   * The largest first dimension that keeps every input under {@code MODELSYNC_MAX_TENSOR_BYTES},
   * counted as the request parser counts (at least 8 bytes a value); inputs with another free
   * dimension do not bound it.
   */
  private static int maxBatchSize(List<TensorInfo> inputs, long maxTensorBytes) {
    long rows = Integer.MAX_VALUE;
    for (TensorInfo t : inputs) {
      DataType type = t.type();
      long perRow = Math.max(type == null ? 0 : type.bytes(), 8L);
      boolean bounded = true;
      for (int i = 1; i < t.shape().length; i++) {
        bounded &= t.shape()[i] >= 0;
        perRow *= Math.max(t.shape()[i], 1);
      }
      if (bounded) {
        rows = Math.min(rows, maxTensorBytes / perRow);
      }
    }
    return (int) Math.max(1, rows);
  }

  private static String backend(String platform) {
    return switch (platform) {
      case "onnxruntime_onnx" -> "onnxruntime";
      case "pytorch_torchscript", "pytorch_libtorch" -> "pytorch";
      default -> platform;
    };
  }

  /** {@code GET /v2/models[/{m}[/versions/{v}]]/stats}: every loaded version asked for. */
  void stats(RoutingContext ctx) {
    String model = ctx.pathParam("model");
    String versionText = ctx.pathParam("version");
    JsonArray stats = new JsonArray();
    if (model == null) {
      for (String m : new TreeSet<>(services.catalog().models())) {
        services.catalog().slot(m).versions().values().forEach(v -> stats.add(stats(v)));
      }
    } else if (versionText == null) {
      UrlParams.checkName(model);
      var versions = services.catalog().slot(model).versions().values();
      if (versions.isEmpty()) {
        throw InferenceHandlers.missing(services, model, 0);
      }
      versions.forEach(v -> stats.add(stats(v)));
    } else {
      ServedVersion v = Inference.leaseServing(services, model, versionText);
      try {
        stats.add(stats(v));
      } finally {
        v.release();
      }
    }
    MetadataHandlers.json(ctx, new JsonObject().put("model_stats", stats));
  }

  private static JsonObject stats(ServedVersion v) {
    InferenceStats.Snapshot s = v.<VersionMeters>meters().stats().snapshot();
    JsonObject phases = new JsonObject();
    for (Phase p : Phase.values()) {
      InferenceStats.Duration d = s.phases().get(p);
      phases.put(p.name().toLowerCase(Locale.ROOT), duration(d.count(), d.ns()));
    }
    // no response cache here: Triton reports these at zero when its cache is off
    phases.put("cache_hit", duration(0, 0)).put("cache_miss", duration(0, 0));
    return new JsonObject()
        .put("name", v.model())
        .put("version", Long.toString(v.version()))
        .put("last_inference", s.lastInferenceMillis())
        .put("inference_count", s.inferenceCount())
        .put("execution_count", s.executionCount())
        .put("inference_stats", phases)
        .put("batch_stats", new JsonArray());
  }

  private static JsonObject duration(long count, long ns) {
    return new JsonObject().put("count", count).put("ns", ns);
  }
}
