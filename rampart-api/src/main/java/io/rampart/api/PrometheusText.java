package io.rampart.api;

import io.rampart.system.agent.DurationHistogram;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prometheus' text exposition format, version 0.0.4: each metric's {@code # HELP} and {@code # TYPE}
 * once, then its samples, label values escaped.
 */
final class PrometheusText {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder();
    private final Map<String, String> declared = new LinkedHashMap<>();
    private final Map<String, StringBuilder> samples = new LinkedHashMap<>();

    /** Declares a metric; samples of it may then be added in any order and are printed together. */
    PrometheusText metric(String name, String type, String help) {
        declared.putIfAbsent(name, "# HELP " + name + " " + help.replace("\\", "\\\\").replace("\n", "\\n")
                + "\n# TYPE " + name + " " + type + "\n");
        return this;
    }

    /** @param labels label names and values, alternating; a null value leaves its label out */
    PrometheusText sample(String name, List<String> labels, long value) {
        return sampleOf(name, name, labels, Long.toString(value));
    }

    PrometheusText sample(String name, List<String> labels, double value) {
        return sampleOf(name, name, labels, number(value));
    }

    /**
     * A histogram's buckets, sum and count under {@code name}, which must be declared as a histogram.
     *
     * @param labels label names and values, alternating
     */
    PrometheusText histogram(String name, List<String> labels, DurationHistogram histogram) {
        for (int i = 0; i <= DurationHistogram.BOUNDS.length; i++) {
            String bound = i == DurationHistogram.BOUNDS.length ? "+Inf" : number(DurationHistogram.BOUNDS[i]);
            List<String> withBound = new ArrayList<>(labels);
            withBound.addAll(List.of("le", bound));
            sampleOf(name, name + "_bucket", withBound, Long.toString(histogram.cumulative(i)));
        }
        sampleOf(name, name + "_sum", labels, number(histogram.sumSeconds()));
        return sampleOf(name, name + "_count", labels, Long.toString(histogram.count()));
    }

    private PrometheusText sampleOf(String metric, String name, List<String> labels, String value) {
        if (!declared.containsKey(metric)) {
            throw new IllegalStateException(metric + " is not declared");
        }
        StringBuilder line = samples.computeIfAbsent(metric, m -> new StringBuilder()).append(name);
        String separator = "{";
        for (int i = 0; i < labels.size(); i += 2) {
            if (labels.get(i + 1) != null) {
                line.append(separator).append(labels.get(i)).append("=\"").append(escape(labels.get(i + 1)))
                        .append('"');
                separator = ",";
            }
        }
        line.append(separator.equals(",") ? "}" : "").append(' ').append(value).append('\n');
        return this;
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Whole numbers without a fraction, others in plain decimals, as Go's ParseFloat reads them. */
    static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    String text() {
        out.setLength(0);
        declared.forEach((name, header) -> {
            StringBuilder lines = samples.get(name);
            if (lines != null) {
                out.append(header).append(lines);
            }
        });
        return out.toString();
    }
}
