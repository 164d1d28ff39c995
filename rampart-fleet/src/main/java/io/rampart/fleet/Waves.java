package io.rampart.fleet;

import io.rampart.model.Failure;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --waves}: how many of the selected hosts have the revision once each wave has passed, as
 * counts ({@code 1}) or shares ({@code 10%}, rounded up), e.g. {@code 1,10%,50%,100%}. A wave that
 * would add no host (10% of 6 after a first wave of 1) is left out; the last must reach every host.
 */
public record Waves(String text, List<String> steps) {

    public static final String DEFAULT = "1,10%,50%,100%";

    private static final Pattern STEP = Pattern.compile("([1-9][0-9]{0,8})(%?)");

    /** The waves of {@code text}; anything but positive counts and shares up to 100% is refused naming the step. */
    public static Waves parse(String text) {
        List<String> steps = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String step = part.strip();
            Matcher matcher = STEP.matcher(step);
            if (!matcher.matches() || (!matcher.group(2).isEmpty() && Integer.parseInt(matcher.group(1)) > 100)) {
                throw new Failure(Failure.Category.INPUT, "--waves: `" + step + "' in `" + text
                        + "' is not a number of hosts or a share from 1% to 100%: write e.g. " + DEFAULT);
            }
            steps.add(step);
        }
        return new Waves(text, List.copyOf(steps));
    }

    /**
     * {@code hosts} in waves, in their order: each wave the hosts its step adds to the ones before.
     * Steps that fall below an earlier one, or a last one short of every host, are refused.
     */
    public List<List<String>> split(List<String> hosts) {
        List<List<String>> waves = new ArrayList<>();
        int reached = 0;
        String previous = null;
        for (String step : steps) {
            int target = Math.min(hosts.size(), reach(step, hosts.size()));
            if (target < reached) {
                throw new Failure(Failure.Category.INPUT, "--waves: `" + step + "' (" + target
                        + " of " + hosts.size() + " host(s)) is less than `" + previous + "' before it (" + reached + ")");
            }
            if (target > reached) {
                waves.add(List.copyOf(hosts.subList(reached, target)));
            }
            reached = target;
            previous = step;
        }
        if (reached < hosts.size()) {
            throw new Failure(Failure.Category.INPUT, "--waves: `" + text + "' reaches " + reached + " of the "
                    + hosts.size() + " selected host(s); end it with 100%");
        }
        return List.copyOf(waves);
    }

    private static int reach(String step, int hosts) {
        if (step.endsWith("%")) {
            long share = Long.parseLong(step.substring(0, step.length() - 1));
            return (int) Math.max(1, (share * hosts + 99) / 100);
        }
        return Integer.parseInt(step);
    }
}
