package dev.modelsync.testkit.kafka;

import dev.modelsync.kafka.EmbeddedKafka;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Resolves {@link EmbeddedKafka} parameters for classes annotated {@link WithKafka}; registered by
 * that annotation. The broker lives in a JUnit store (the root one when shared, the class's one
 * otherwise), which closes it when that store's context ends.
 */
public final class KafkaExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedKafka.class;
  }

  @Override
  public EmbeddedKafka resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return broker(context);
  }

  /**
   * The running broker for a test context, started on first use: for other extensions that build a
   * fixture on top of it (such as an api or an agent under test).
   */
  public static EmbeddedKafka broker(ExtensionContext context) {
    WithKafka.Scope scope = scope(context);
    ExtensionContext owner =
        scope == WithKafka.Scope.SHARED ? context.getRoot() : classContext(context);
    // keyed by scope: a store lookup falls back to the parent stores, and a class that wants its
    // own broker must not be handed the shared one from the root
    return owner
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(scope, k -> EmbeddedKafka.onFreePort().start(), EmbeddedKafka.class);
  }

  private static WithKafka.Scope scope(ExtensionContext context) {
    return context
        .getTestClass()
        .flatMap(c -> AnnotationSupport.findAnnotation(c, WithKafka.class))
        .map(WithKafka::value)
        .orElse(WithKafka.Scope.SHARED);
  }

  /** The context of the test class itself, whether asked from a method or from the class. */
  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
      c = c.getParent().get();
    }
    return c;
  }
}
