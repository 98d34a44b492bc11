package dev.modelsync.testkit.s3;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * A real S3 client that records the object calls made through it, in order: {@code "put <key>"} and
 * {@code "get <key>"} (with {@code " range"} for a ranged get). Only the request-object forms are
 * seen (a lambda form builds its request inside the real client).
 */
public final class S3Calls {
  public final List<String> calls = new CopyOnWriteArrayList<>();
  public final S3Client client;

  public S3Calls(S3Client real) {
    this.client =
        (S3Client)
            Proxy.newProxyInstance(
                S3Client.class.getClassLoader(),
                new Class<?>[] {S3Client.class},
                (proxy, method, args) -> {
                  if (args != null && args.length > 0) {
                    if (args[0] instanceof PutObjectRequest put) {
                      calls.add("put " + put.key());
                    } else if (args[0] instanceof GetObjectRequest get) {
                      calls.add("get " + get.key() + (get.range() == null ? "" : " range"));
                    }
                  }
                  try {
                    return method.invoke(real, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
  }

  /** The calls for keys ending in {@code suffix}. */
  public long count(String prefix, String suffix) {
    return calls.stream().filter(c -> c.startsWith(prefix) && c.endsWith(suffix)).count();
  }
}
