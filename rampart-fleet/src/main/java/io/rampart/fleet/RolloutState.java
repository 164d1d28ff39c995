package io.rampart.fleet;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.model.Failure;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The rollout as stored at {@code rollout/state}: what it moves where, in which waves, how far it
 * got, and what became of each host. Every change is a new value written over the one it was made
 * from (see {@link Rollout}), so a killed controller leaves a state another can resume.
 *
 * @param id              this rollout's own id (the revision and when it started)
 * @param select          the labels a host had to carry to be selected; empty: every registered host
 * @param waves           the {@code --waves} text
 * @param plan            the hosts of each wave, in order
 * @param wave            the wave being rolled out, or the last one reached (1-based)
 * @param reason          why it halted, or how it ended; null while it runs
 * @param hosts           each selected host: the revision it held before, and its outcome
 */
public record RolloutState(String id, String revision, Map<String, String> select, String waves,
                           List<List<String>> plan, long bakeSeconds, long deadlineSeconds, int maxFailures,
                           int wave, Result result, String reason, Map<String, HostOutcome> hosts, String startedBy,
                           String started, String updated) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A result's or outcome's name as stored: lower case, words joined by {@code -}. */
    private static String label(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static <E extends Enum<E>> E ofLabel(Class<E> type, String label) {
        return Enum.valueOf(type, label.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** How the rollout stands. */
    public enum Result {
        RUNNING, HALTED, SUCCEEDED, ROLLED_BACK;

        @JsonValue
        public String label() {
            return RolloutState.label(this);
        }

        @JsonCreator
        public static Result of(String label) {
            return ofLabel(Result.class, label);
        }

        /** Whether it is over, so a new rollout may start. */
        public boolean finished() {
            return this == SUCCEEDED || this == ROLLED_BACK;
        }
    }

    /** What became of one host. */
    public enum Outcome {
        /** In a wave not reached yet. */
        PENDING,
        /** Assigned the revision; not yet reported applied and healthy. */
        WAITING,
        PASSED,
        FAILED,
        /** Assigned its previous revision again. */
        ROLLED_BACK;

        @JsonValue
        public String label() {
            return RolloutState.label(this);
        }

        @JsonCreator
        public static Outcome of(String label) {
            return ofLabel(Outcome.class, label);
        }
    }

    /**
     * One host of the rollout.
     *
     * @param previous the revision it held (else was assigned) before the rollout; null when none
     * @param error    why it failed, as its agent reported it or the deadline passed; null when it did not
     */
    public record HostOutcome(String previous, Outcome outcome, String error) {
        HostOutcome with(Outcome outcome, String error) {
            return new HostOutcome(previous, outcome, error);
        }
    }

    public RolloutState {
        select = Map.copyOf(select);
        plan = plan.stream().map(List::copyOf).toList();
        hosts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
    }

    /** The hosts of wave {@code number} (1-based). */
    public List<String> waveHosts(int number) {
        return plan.get(number - 1);
    }

    /** How many hosts failed so far. */
    public int failures() {
        return (int) hosts.values().stream().filter(host -> host.outcome() == Outcome.FAILED).count();
    }

    RolloutState withWave(int next) {
        return new RolloutState(id, revision, select, waves, plan, bakeSeconds, deadlineSeconds, maxFailures, next,
                result, reason, hosts, startedBy, started, Instant.now().toString());
    }

    RolloutState withResult(Result next, String why) {
        return new RolloutState(id, revision, select, waves, plan, bakeSeconds, deadlineSeconds, maxFailures, wave,
                next, why, hosts, startedBy, started, Instant.now().toString());
    }

    /** This state with {@code change} made to each of {@code names}. */
    RolloutState withHosts(List<String> names, UnaryOperator<HostOutcome> change) {
        Map<String, HostOutcome> next = new LinkedHashMap<>(hosts);
        names.forEach(name -> next.put(name, change.apply(next.get(name))));
        return new RolloutState(id, revision, select, waves, plan, bakeSeconds, deadlineSeconds, maxFailures, wave,
                result, reason, next, startedBy, started, Instant.now().toString());
    }

    public String toJson() {
        return StoredJson.write(JSON, this, "a rollout state");
    }

    /** The state stored at {@code key}; a value that is not one is an error naming the key. */
    public static RolloutState fromJson(String key, String json) {
        try {
            return JSON.readValue(json, RolloutState.class);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new Failure(Failure.Category.SYSTEM, key + ": is not a rollout state: " + e.getMessage());
        }
    }

    /** One line for people: the revision, the result, the wave and why it stands so. */
    public String summary() {
        return headline() + (reason == null ? "" : "; " + reason);
    }

    /** The summary without the reason. */
    public String headline() {
        String at = result == Result.SUCCEEDED ? plan.size() + " wave(s) passed"
                : "wave " + wave + " of " + plan.size() + " (" + String.join(", ", waveHosts(wave)) + ")";
        return "rollout of " + revision + ": " + result.label() + ", " + at;
    }
}
