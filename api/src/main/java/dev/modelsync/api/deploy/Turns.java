package dev.modelsync.api.deploy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Orders the changes to each model on one Vert.x context: a step starts once the model's previous
 * step has ended, while steps for other models run meanwhile. Used on that context only.
 */
final class Turns {
  private final Context context;
  private final Map<String, Future<?>> queues = new HashMap<>();

  Turns(Context context) {
    this.context = context;
  }

  <T> Future<T> serially(String model, Supplier<Future<T>> step) {
    Future<?> tail = queues.getOrDefault(model, Future.succeededFuture());
    Future<T> next = tail.transform(ignored -> step.get());
    queues.put(model, next);
    next.onComplete(
        ar -> {
          if (queues.get(model) == next) {
            queues.remove(model);
          }
        });
    return next;
  }

  <T> Future<T> onContext(Supplier<Future<T>> action) {
    if (Vertx.currentContext() == context) {
      return action.get();
    }
    Promise<T> promise = Promise.promise();
    context.runOnContext(
        v -> {
          try {
            action.get().onComplete(promise);
          } catch (RuntimeException e) {
            promise.fail(e);
          }
        });
    return promise.future();
  }
}
