package dev.modelsync.api.http;

import dev.modelsync.api.catalog.Catalog;
import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.LoadedModel;
import dev.modelsync.api.engine.TensorInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;

/**
 * TF Serving's REST model calls: status ({@code GET /v1/models/{m}[/versions/{v}|/labels/{l}]}),
 * metadata ({@code .../metadata}, the {@code serving_default} signature) and predict on a label.
 *
 * <p>Labels map onto the catalog's pin: {@code stable} is the serving version (the pinned one, else
 * the newest loaded), what a request without a version gets; {@code latest} and {@code canary} are
 * the newest loaded version (a shadow's candidate is not served: then the newest before it). With
 * nothing pinned all three name the same version; pin an older one and {@code canary} still reaches
 * the newest. Any other label is a 404.
 */
final class TfServingHandlers {
  static final String SIGNATURE = "serving_default";
  static final List<String> LABELS = List.of("stable", "latest", "canary");

  private final Services services;
  private final InferenceHandlers infer;

  TfServingHandlers(Services services, InferenceHandlers infer) {
    this.services = services;
    this.infer = infer;
  }

  /** {@code GET /v1/models/{m}[/versions/{v}|/labels/{l}]}. */
  void status(RoutingContext ctx) {
    String model = ctx.pathParam("model");
    UrlParams.checkName(model);
    Catalog.Slot slot = services.catalog().slot(model);
    if (slot.served().isEmpty()) {
      throw InferenceHandlers.missing(services, model, 0);
    }
    List<Long> versions;
    String label = ctx.pathParam("label");
    if (label != null) {
      versions = List.of(labelled(model, slot, label));
    } else if (ctx.pathParam("version") != null) {
      long v = UrlParams.version(model, ctx.pathParam("version"));
      if (!slot.served().containsKey(v)) {
        throw InferenceHandlers.missing(services, model, v);
      }
      versions = List.of(v);
    } else {
      versions = List.copyOf(slot.served().keySet());
    }
    JsonObject body = TfServingCodec.status(versions);
    if (label == null && ctx.pathParam("version") == null) {
      // KServe's v1 protocol reads readiness from this same URL; TF Serving's clients ignore these
      body.put("name", model).put("ready", true);
    }
    MetadataHandlers.json(ctx, body);
  }

  /** {@code GET /v1/models/{m}[/versions/{v}|/labels/{l}]/metadata}. */
  void metadata(RoutingContext ctx) {
    String model = ctx.pathParam("model");
    ServedVersion v = Inference.leaseServing(services, model, versionText(ctx, model));
    try {
      MetadataHandlers.json(ctx, metadata(model, v.version(), v.loaded()));
    } finally {
      v.release();
    }
  }

  /** {@code POST /v1/models/{m}/labels/{l}:predict}: the labelled version answers. */
  void labelPredict(RoutingContext ctx) {
    String model = ctx.pathParam("param0");
    UrlParams.checkName(model);
    long version = labelled(model, services.catalog().slot(model), ctx.pathParam("param1"));
    infer.tfPredict(ctx, model, Long.toString(version));
  }

  /** The version a URL names by number or label; null for the serving one. */
  private String versionText(RoutingContext ctx, String model) {
    String label = ctx.pathParam("label");
    if (label == null) {
      return ctx.pathParam("version");
    }
    UrlParams.checkName(model);
    return Long.toString(labelled(model, services.catalog().slot(model), label));
  }

  private long labelled(String model, Catalog.Slot slot, String label) {
    ServedVersion v =
        switch (label) {
          case "stable" -> slot.serving();
          case "latest", "canary" ->
              slot.served().isEmpty() ? null : slot.served().lastEntry().getValue();
          default ->
              throw ApiError.notFound(
                  "model '"
                      + model
                      + "' has no label '"
                      + (label.length() > 64 ? label.substring(0, 64) + "…" : label)
                      + "'; labels are "
                      + LABELS);
        };
    if (v == null) {
      throw InferenceHandlers.missing(services, model, 0);
    }
    return v.version();
  }

  /** TF Serving's GetModelMetadataResponse for one version: its signature as serving_default. */
  static JsonObject metadata(String model, long version, LoadedModel loaded) {
    JsonObject signature =
        new JsonObject()
            .put("inputs", tensors(loaded.inputs()))
            .put("outputs", tensors(loaded.outputs()))
            .put("method_name", "tensorflow/serving/predict");
    return new JsonObject()
        .put(
            "model_spec",
            new JsonObject()
                .put("name", model)
                .put("signature_name", "")
                .put("version", Long.toString(version)))
        .put(
            "metadata",
            new JsonObject()
                .put(
                    "signature_def",
                    new JsonObject()
                        .put("signature_def", new JsonObject().put(SIGNATURE, signature))));
  }

  private static JsonObject tensors(List<TensorInfo> tensors) {
    JsonObject out = new JsonObject();
    for (TensorInfo t : tensors) {
      JsonArray dims = new JsonArray();
      for (long d : t.shape()) {
        // int64 fields are strings in protobuf's JSON, as TF Serving writes them
        dims.add(new JsonObject().put("size", Long.toString(d)).put("name", ""));
      }
      out.put(
          t.name(),
          new JsonObject()
              .put("dtype", tfType(t.datatype()))
              .put("tensor_shape", new JsonObject().put("dim", dims).put("unknown_rank", false))
              .put("name", t.name()));
    }
    return out;
  }

  private static final Map<String, String> TF_TYPES =
      Map.ofEntries(
          Map.entry("BOOL", "DT_BOOL"),
          Map.entry("UINT8", "DT_UINT8"),
          Map.entry("UINT16", "DT_UINT16"),
          Map.entry("UINT32", "DT_UINT32"),
          Map.entry("UINT64", "DT_UINT64"),
          Map.entry("INT8", "DT_INT8"),
          Map.entry("INT16", "DT_INT16"),
          Map.entry("INT32", "DT_INT32"),
          Map.entry("INT64", "DT_INT64"),
          Map.entry("FP16", "DT_HALF"),
          Map.entry("BF16", "DT_BFLOAT16"),
          Map.entry("FP32", "DT_FLOAT"),
          Map.entry("FP64", "DT_DOUBLE"),
          Map.entry("BYTES", "DT_STRING"));

  /** TensorFlow's name of a KServe datatype. */
  static String tfType(String datatype) {
    return TF_TYPES.getOrDefault(datatype, "DT_INVALID");
  }
}
