package dev.modelsync.api.engine;

import ai.djl.Model;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import ai.djl.onnxruntime.engine.OrtSymbolBlock;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what DJL holds open under the system managers of the engines this server loaded models
 * with: every NDManager below them (a version's model manager, a request's sub-manager) and every
 * ONNX Runtime session still attached. DJL's system managers live for the whole process, so a
 * manager or session that is never closed stays reachable here and shows as a growing count.
 */
final class DjlResources {
  private static final Logger LOG = LoggerFactory.getLogger(DjlResources.class);

  // DJL keeps both private; the counts are for leak detection, so a missing field is NaN, not fatal
  private static final Field RESOURCES = field(BaseNDManager.class, "resources");
  private static final Field SESSION = field(OrtSymbolBlock.class, "session");

  private final Set<NDManager> roots = ConcurrentHashMap.newKeySet();

  /** Remembers the system manager {@code model}'s manager hangs from. */
  void track(Model model) {
    NDManager manager = model.getNDManager();
    NDManager parent = manager.getParentManager();
    roots.add(parent == null ? manager : parent);
  }

  /** NDManagers open below the system managers (the system managers themselves not counted). */
  double ndManagers() {
    return RESOURCES == null ? Double.NaN : counts()[0];
  }

  /** ONNX Runtime sessions held by DJL blocks not closed yet. */
  double ortSessions() {
    return RESOURCES == null || SESSION == null ? Double.NaN : counts()[1];
  }

  /** Managers and sessions; the maps are concurrent, so a walk during a swap is merely stale. */
  private int[] counts() {
    int[] counts = new int[2];
    roots.forEach(root -> walk(root, counts));
    return counts;
  }

  private static void walk(NDManager manager, int[] counts) {
    Map<?, ?> children;
    try {
      children = (Map<?, ?>) RESOURCES.get(manager);
    } catch (IllegalAccessException | IllegalArgumentException e) {
      return; // not a BaseNDManager: nothing DJL would keep in it for us to see
    }
    for (Object child : children.values()) {
      if (child instanceof NDManager sub) {
        counts[0]++;
        walk(sub, counts);
      } else if (child instanceof OrtSymbolBlock block && SESSION != null) {
        try {
          counts[1] += SESSION.get(block) != null ? 1 : 0;
        } catch (IllegalAccessException e) {
          // set accessible in field(); cannot happen
        }
      }
    }
  }

  private static Field field(Class<?> owner, String name) {
    try {
      Field f = owner.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Cannot count DJL resources: {}.{} not readable ({})", owner.getName(), name, e);
      return null;
    }
  }
}
