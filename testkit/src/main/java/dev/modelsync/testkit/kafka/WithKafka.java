package dev.modelsync.testkit.kafka;

import dev.modelsync.kafka.EmbeddedKafka;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hands a running {@link EmbeddedKafka} to the test class: declare a parameter of that type on a
 * test method, a lifecycle method ({@code @BeforeAll} too) or the constructor.
 *
 * <p>The broker is started on first use and stopped by JUnit when its scope ends, so a test never
 * starts or closes it itself. Tests must use topics of their own (a random suffix), since other
 * test classes may share the broker.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(KafkaExtension.class)
public @interface WithKafka {

  /**
   * Whether this class shares the broker of the test run (started once, stopped when the run ends)
   * or gets one of its own, stopped after the class. A class that stops or restarts the broker must
   * have its own.
   */
  Scope value() default Scope.SHARED;

  /** How long a broker lives and who else uses it. */
  enum Scope {
    /** One broker for every class of the test run that asks for a shared one. */
    SHARED,
    /** A broker for this class alone, stopped after its last test. */
    CLASS
  }
}
