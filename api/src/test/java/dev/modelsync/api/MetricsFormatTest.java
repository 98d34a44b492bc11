package dev.modelsync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelsync.testkit.prom.Promtool;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(HarnessExtension.class)
class MetricsFormatTest {
  @Test
  @DisplayName("/metrics names every issue-7 series and promtool check metrics finds no problem")
  void promtoolAccepts(Harness h) throws Exception {
    Api api = h.startApi();
    h.save("m", 1, 1f);
    h.awaitAnswer(api, "m", 1f);
    h.save("m", 2, 2f);
    h.awaitAnswer(api, "m", 2f);
    h.post(api, "/v2/models/m/infer", "{}");
    String metrics = h.get(api, "/metrics").bodyAsString();
    for (String sample :
        List.of(
            "modelsync_infer_requests_total{instance=\"test-0\",model=\"m\",outcome=\"success\","
                + "version=\"2\"}",
            "modelsync_infer_requests_total{instance=\"test-0\",model=\"m\","
                + "outcome=\"client_error\",version=\"2\"} 1.0",
            "modelsync_infer_latency_seconds_bucket{instance=\"test-0\",model=\"m\","
                + "version=\"2\",le=\"1.0E-4\"}",
            "modelsync_infer_latency_seconds_bucket{instance=\"test-0\",model=\"m\","
                + "version=\"2\",le=\"10.0\"}",
            "modelsync_infer_in_flight_requests{instance=\"test-0\"} 0.0",
            "modelsync_loads_total{instance=\"test-0\",model=\"m\"} 2.0",
            "modelsync_load_time_seconds_count{instance=\"test-0\",model=\"m\"} 2",
            "modelsync_warmup_time_seconds_count{instance=\"test-0\",model=\"m\"} 2",
            "modelsync_swaps_total{instance=\"test-0\",model=\"m\"} 2.0",
            "modelsync_save_to_serve_seconds_count{instance=\"test-0\",model=\"m\"} 2",
            "modelsync_versions_loaded{instance=\"test-0\"} 2.0",
            "modelsync_events_consumer_lag_records{instance=\"test-0\"} 0.0",
            "jvm_memory_used_bytes{area=\"heap\"",
            "process_cpu_usage{instance=\"test-0\"}",
            "process_resident_memory_bytes{instance=\"test-0\"}")) {
      assertTrue(metrics.contains(sample), sample + " missing from\n" + metrics);
    }
    Path promtool = Promtool.find();
    Assumptions.assumeTrue(
        promtool != null, "promtool is not installed (Debian package 'prometheus')");
    Promtool.Result result = Promtool.checkMetrics(promtool, metrics);
    assertEquals("", result.output(), "promtool check metrics");
    assertEquals(0, result.exitCode(), result.output());
  }
}
