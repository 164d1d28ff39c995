package io.rampart.model.value;

import java.util.ArrayList;
import java.util.List;

/** Comma-separated ranges, as multiport keeps its ports: a number is in it when any range holds it. */
public record Ranges(List<Range> ranges) implements Value {

    public Ranges {
        ranges = List.copyOf(ranges);
    }

    /** Reads a canonical {@code R[,R...]}. */
    public static Ranges parse(String canonical) {
        List<Range> out = new ArrayList<>();
        for (String item : canonical.split(",")) {
            out.add(Range.parse(item));
        }
        return new Ranges(out);
    }

    public boolean contains(long value) {
        for (Range range : ranges) {
            if (range.contains(value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String text() {
        StringBuilder b = new StringBuilder();
        for (Range range : ranges) {
            b.append(b.length() == 0 ? "" : ",").append(range.text());
        }
        return b.toString();
    }
}
