package dev.modelsync.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The admission counters alone: slots, the byte budget, and what a ticket gives back. */
class AdmissionTicketTest {
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();
  private final Admission admission = new Admission(inFlight, bytes, 2, 100);

  @Test
  @DisplayName(
      "a slot per ticket up to the limit; past it a 503 naming the variable, nothing taken")
  void slots() {
    Admission.Ticket a = admission.admit(-1);
    Admission.Ticket b = admission.admit(0);
    assertEquals(2, inFlight.get());
    ApiError refused = assertThrows(ApiError.class, () -> admission.admit(-1));
    assertEquals(503, refused.status());
    assertTrue(refused.overloaded());
    assertTrue(
        refused.getMessage().contains("2 inference requests in flight"), refused.getMessage());
    assertTrue(refused.getMessage().contains("MODELSYNC_MAX_IN_FLIGHT"), refused.getMessage());
    assertEquals(2, inFlight.get());
    a.release();
    a.release();
    assertEquals(1, inFlight.get(), "released once");
    b.release();
    assertEquals(0, inFlight.get());
  }

  @Test
  @DisplayName(
      "an announced body must fit what is left: exactly the rest is admitted, a byte more not")
  void announced() {
    Admission.Ticket held = admission.admit(60);
    assertEquals(0, bytes.get(), "announced bytes are not charged");
    assertTrue(held.cover(60));
    admission.admit(40).release();
    ApiError over = assertThrows(ApiError.class, () -> admission.admit(41));
    assertTrue(over.overloaded());
    assertTrue(over.getMessage().contains("request bodies of 100 bytes"), over.getMessage());
    assertTrue(over.getMessage().contains("MODELSYNC_MAX_BUFFERED_BYTES"), over.getMessage());
    assertEquals(1, inFlight.get(), "the refused request's slot is given back");
    held.release();
    assertEquals(0, bytes.get());
    assertEquals(0, inFlight.get());
  }

  @Test
  @DisplayName("cover charges only what grew; past the budget false, nothing more charged")
  void cover() {
    Admission.Ticket t = admission.admit(-1);
    assertTrue(t.cover(30));
    assertTrue(t.cover(30));
    assertTrue(t.cover(10), "less than charged: nothing to do");
    assertEquals(30, bytes.get());
    assertTrue(t.cover(100));
    assertEquals(100, bytes.get());
    assertFalse(t.cover(101));
    assertEquals(100, bytes.get());
    t.release();
    assertEquals(0, bytes.get());
    assertFalse(t.cover(1), "a released ticket charges nothing");
    assertFalse(t.cover(0));
    assertEquals(0, bytes.get());
  }

  @Test
  @DisplayName("bytes already received are charged at admission; past the budget refused, all back")
  void received() {
    Admission.Ticket first = admission.admitReceived(70);
    assertEquals(70, bytes.get());
    assertEquals(1, inFlight.get());
    ApiError over = assertThrows(ApiError.class, () -> admission.admitReceived(31));
    assertTrue(over.overloaded());
    assertEquals(70, bytes.get());
    assertEquals(1, inFlight.get());
    Admission.Ticket second = admission.admitReceived(30);
    assertEquals(100, bytes.get());
    first.release();
    second.release();
    assertEquals(0, bytes.get());
    assertEquals(0, inFlight.get());
  }

  @Test
  @DisplayName("a submitted ticket is released by its job only, not when the request ends")
  void submitted() {
    Admission.Ticket early = admission.admit(-1);
    early.releaseUnlessSubmitted();
    assertEquals(0, inFlight.get());
    Admission.Ticket running = admission.admit(-1);
    running.submitted();
    running.releaseUnlessSubmitted();
    assertEquals(1, inFlight.get());
    running.release();
    assertEquals(0, inFlight.get());
  }

  @Test
  @DisplayName("the server's admission counts into the api's in-flight and body-byte meters")
  void ofServices() {
    var metrics =
        new dev.modelsync.api.metrics.ApiMetrics(
            "test",
            () -> 0,
            new dev.modelsync.api.metrics.ApiMetrics.OpenResources(() -> 0, () -> 0, () -> 0));
    Services services =
        new Services(null, null, metrics, null, null, null, 0, 1, null, 0, 0, 50, null, 0);
    Admission server = Admission.of(services);
    Admission.Ticket t = server.admitReceived(30);
    assertEquals(1, metrics.inFlight().get());
    assertEquals(30, metrics.bodyBytes().get());
    assertEquals(503, assertThrows(ApiError.class, () -> server.admit(-1)).status(), "1 slot");
    t.release();
    assertEquals(0, metrics.inFlight().get());
    assertEquals(0, metrics.bodyBytes().get());
    assertEquals(503, assertThrows(ApiError.class, () -> server.admitReceived(51)).status());
  }
}
