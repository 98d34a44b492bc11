package dev.modelsync.api.engine;

/**
 * The Open Inference Protocol tensor datatypes. Each is held in one Java primitive array: {@code
 * byte[]} for INT8 and UINT8, {@code short[]} for INT16 and UINT16, and for FP16 and BF16 as their
 * raw 16 bits, {@code int[]} for INT32 and UINT32, {@code long[]} for INT64 and UINT64 (unsigned
 * values are their two's-complement bits), {@code float[]}, {@code double[]}, {@code boolean[]},
 * and {@code String[]} for BYTES.
 */
public enum DataType {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  BF16(2),
  FP32(4),
  FP64(8),
  BYTES(0);

  private final int bytes;

  DataType(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element; 0 for BYTES, whose elements vary. */
  public int bytes() {
    return bytes;
  }

  /** True for the integer types, signed or not. */
  public boolean integer() {
    return switch (this) {
      case UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64 -> true;
      default -> false;
    };
  }

  /** True for the floating-point types. */
  public boolean floating() {
    return this == FP16 || this == BF16 || this == FP32 || this == FP64;
  }

  /** True for the unsigned integer types. */
  public boolean unsigned() {
    return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
  }

  /** {@link #values()} copies its array on every call; this is asked per request. */
  private static final DataType[] VALUES = values();

  /** The datatype of a KServe name, or null when it is not one. */
  public static DataType of(String name) {
    if (name == null) {
      return null;
    }
    for (DataType t : VALUES) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** A new zero-filled array of {@code n} elements of this type. */
  public Object newArray(int n) {
    return switch (this) {
      case BOOL -> new boolean[n];
      case UINT8, INT8 -> new byte[n];
      case UINT16, INT16, FP16, BF16 -> new short[n];
      case UINT32, INT32 -> new int[n];
      case UINT64, INT64 -> new long[n];
      case FP32 -> new float[n];
      case FP64 -> new double[n];
      case BYTES -> {
        String[] s = new String[n];
        java.util.Arrays.fill(s, "");
        yield s;
      }
    };
  }
}
