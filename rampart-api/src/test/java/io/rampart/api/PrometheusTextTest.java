package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.system.agent.DurationHistogram;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The text format's details that promtool does not see in a scrape: escaping, grouping, histograms. */
class PrometheusTextTest {

    @Test
    void samplesOfAMetricAreGroupedUnderOneHeaderWithLabelValuesEscaped() {
        PrometheusText text = new PrometheusText()
                .metric("a_total", "counter", "First, with a \\ and\na newline.")
                .metric("b", "gauge", "Second.")
                .metric("unused", "gauge", "Never sampled, so not printed.");
        text.sample("b", List.of("x", "1"), 0.25);
        text.sample("a_total", List.of("source", "rules \"main\"\\n:3"), 7);
        text.sample("a_total", Arrays.asList("source", null), 8);
        assertThat(text.text()).isEqualTo("""
                # HELP a_total First, with a \\\\ and\\na newline.
                # TYPE a_total counter
                a_total{source="rules \\"main\\"\\\\n:3"} 7
                a_total 8
                # HELP b Second.
                # TYPE b gauge
                b{x="1"} 0.25
                """);
    }

    @Test
    void aHistogramHasCumulativeBucketsASumAndACount() {
        DurationHistogram durations = new DurationHistogram();
        durations.observe(Duration.ofMillis(3));
        durations.observe(Duration.ofMillis(40));
        durations.observe(Duration.ofSeconds(30));
        String text = new PrometheusText().metric("d_seconds", "histogram", "Durations.")
                .histogram("d_seconds", List.of("by", "api"), durations).text();
        assertThat(text).contains("d_seconds_bucket{by=\"api\",le=\"0.005\"} 1\n")
                .contains("d_seconds_bucket{by=\"api\",le=\"0.025\"} 1\n")
                .contains("d_seconds_bucket{by=\"api\",le=\"0.05\"} 2\n")
                .contains("d_seconds_bucket{by=\"api\",le=\"10\"} 2\n")
                .contains("d_seconds_bucket{by=\"api\",le=\"+Inf\"} 3\n")
                .contains("d_seconds_sum{by=\"api\"} 30.043\n")
                .contains("d_seconds_count{by=\"api\"} 3\n");
    }

    @Test
    void anUndeclaredMetricIsRefused() {
        assertThatThrownBy(() -> new PrometheusText().sample("x", List.of(), 1))
                .isInstanceOf(IllegalStateException.class);
    }
}
