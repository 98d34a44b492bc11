package dev.modelsync.api.engine;

/** The KServe v2 tensor datatypes this server reads and writes. */
public enum DataType {
  FP32(4),
  FP64(8),
  INT32(4),
  INT64(8),
  BOOL(1),
  BYTES(0);

  private final int bytes;

  DataType(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element; 0 for BYTES, whose elements vary. */
  public int bytes() {
    return bytes;
  }

  /** The datatype of a KServe name, or null when it is not one this server handles. */
  public static DataType of(String name) {
    if (name == null) {
      return null;
    }
    return switch (name) {
      case "FP32" -> FP32;
      case "FP64" -> FP64;
      case "INT32" -> INT32;
      case "INT64" -> INT64;
      case "BOOL" -> BOOL;
      case "BYTES" -> BYTES;
      default -> null;
    };
  }

  /** A new zero-filled array of {@code n} elements of this type. */
  public Object newArray(int n) {
    return switch (this) {
      case FP32 -> new float[n];
      case FP64 -> new double[n];
      case INT32 -> new int[n];
      case INT64 -> new long[n];
      case BOOL -> new boolean[n];
      case BYTES -> {
        String[] s = new String[n];
        java.util.Arrays.fill(s, "");
        yield s;
      }
    };
  }
}
