package dev.modelsync.agent.watch;

import java.nio.file.Path;

/**
 * One thing that can be saved: a version directory {@code models/<model>/<version>/} or a single
 * model file {@code models/<model>.<ext>}, whose versions the agent numbers itself.
 *
 * @param model model name
 * @param version the directory's version, or 0 for a single file
 * @param source absolute path of the directory or file
 * @param relative path relative to the models directory, such as {@code iris/3} or {@code
 *     iris.onnx}; what the agent's state records as the source
 */
public record SaveUnit(String model, long version, Path source, String relative) {
  public boolean singleFile() {
    return version == 0;
  }

  @Override
  public String toString() {
    return relative;
  }
}
