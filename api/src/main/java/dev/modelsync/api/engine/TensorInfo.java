package dev.modelsync.api.engine;

import java.util.Arrays;

/**
 * One input or output of a model's signature.
 *
 * @param name tensor name
 * @param datatype KServe datatype name; may name a type this server cannot exchange (FP16...)
 * @param shape dimensions, -1 for any size
 */
public record TensorInfo(String name, String datatype, long[] shape) {

  /** The datatype, or null when it is not one the protocol handlers exchange. */
  public DataType type() {
    return DataType.of(datatype);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t
        && name.equals(t.name)
        && datatype.equals(t.datatype)
        && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + ":" + datatype + Arrays.toString(shape);
  }
}
