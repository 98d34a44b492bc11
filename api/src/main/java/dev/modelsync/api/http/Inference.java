package dev.modelsync.api.http;

import dev.modelsync.api.catalog.ServedVersion;
import dev.modelsync.api.engine.DataType;
import dev.modelsync.api.engine.TensorInfo;
import java.util.List;

/**
 * The inference path's entry points for protocols served outside this package (gRPC), so that every
 * protocol shares one catalog lookup and one input check ({@link Admission} shares the limits).
 */
public final class Inference {
  public static final String SERVER_NAME = "modelsync";
  public static final String SERVER_VERSION = MetadataHandlers.SERVER_VERSION;

  private Inference() {}

  /**
   * Leases the version an inference request names (null or empty: the serving one, or a canary's
   * candidate for its share); the caller releases it.
   *
   * @throws ApiError 400 for a name or version that cannot exist, 404 for an unknown one or a
   *     shadow's candidate, 503 while the catalog loads
   */
  public static ServedVersion lease(Services services, String model, String version) {
    return lease(services, model, version, true);
  }

  /**
   * Leases the version a metadata or readiness request names (null or empty: the serving one, never
   * a canary's share: they describe what serves); the caller releases it. Errors as {@link #lease}.
   */
  public static ServedVersion leaseServing(Services services, String model, String version) {
    return lease(services, model, version, false);
  }

  private static ServedVersion lease(
      Services services, String model, String version, boolean infer) {
    if (model == null) {
      UrlParams.checkName(null);
    }
    long v;
    try {
      v = UrlParams.version(model, version == null || version.isEmpty() ? null : version);
    } catch (ApiError e) {
      UrlParams.checkName(model); // a bad name is the first thing to say
      throw e;
    }
    ServedVersion served =
        infer ? services.catalog().acquire(model, v) : services.catalog().acquireServing(model, v);
    if (served != null) {
      return served; // the catalog holds valid names only: no pattern match per request
    }
    UrlParams.checkName(model);
    throw InferenceHandlers.missing(services, model, v);
  }

  /**
   * Checks one input against the model's signature before anything is allocated: a known name, the
   * model's datatype, a shape the model takes, within {@code MODELSYNC_MAX_TENSOR_BYTES}.
   *
   * @return its datatype and element count
   * @throws ApiError 400 saying what is wrong
   */
  public static Input checkInput(
      List<TensorInfo> signature, String name, String datatype, long[] shape, long maxBytes) {
    var c = KServeParser.check(signature, name, datatype, shape, Integer.MAX_VALUE, maxBytes);
    return new Input(c.type(), c.n());
  }

  /** An input's datatype and element count. */
  public record Input(DataType type, int count) {}

  /** A 400 unless every requested output is one of the model's. */
  public static void checkOutputs(List<TensorInfo> signature, List<String> wanted) {
    for (String name : wanted) {
      if (signature.stream().noneMatch(t -> t.name().equals(name))) {
        throw ApiError.badRequest(
            "unknown output '"
                + name
                + "'; the model's outputs are "
                + TensorCodec.names(signature));
      }
    }
  }
}
