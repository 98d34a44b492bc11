package dev.modelsync.api;

import dev.modelsync.testkit.kafka.KafkaExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands a {@link Harness} on the test run's broker ({@link dev.modelsync.testkit.kafka.WithKafka}
 * sets its scope) to a test, and a {@link RolloutProbe} on that harness. Asked for by a test or a
 * {@code @BeforeEach} method, each test gets a harness of its own; asked for by a
 * {@code @BeforeAll} method, the class's tests share that one. JUnit closes it, with the apis it
 * started, when that test or class ends.
 */
final class HarnessExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(HarnessExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == Harness.class || type == RolloutProbe.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    // a method's store falls back to its class's: a harness made in @BeforeAll is the class's
    var store = context.getStore(NAMESPACE);
    Harness harness = store.getOrComputeIfAbsent(Harness.class, k -> open(context), Harness.class);
    if (parameter.getParameter().getType() == RolloutProbe.class) {
      return store.getOrComputeIfAbsent(
          RolloutProbe.class, k -> new RolloutProbe(harness), RolloutProbe.class);
    }
    return harness;
  }

  private static Harness open(ExtensionContext context) {
    try {
      return Harness.open(KafkaExtension.broker(context));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
