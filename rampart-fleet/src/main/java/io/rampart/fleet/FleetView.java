package io.rampart.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fleet as etcd holds it now: every host that registered, reported or was assigned a revision,
 * each with its last report, and offline when its registration's lease is gone; and the rollout,
 * with who drives it.
 *
 * @param rollout    the current (or last) rollout; null when there never was one
 * @param controller the controller acting on it, in words; null when none holds the lock
 */
public record FleetView(List<Host> hosts, Instant at, RolloutState rollout, String controller) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One host.
     *
     * @param reportedAgo      how long ago it last reported; null when it never did
     * @param labels           its labels as it registered them; empty when it is not registered
     * @param reportedAssigned the revision it last reported being assigned, which lags {@code assigned} until it reports
     */
    public record Host(String name, HostStatus.State state, String revision, String assigned, String error,
                       Duration reportedAgo, Map<String, String> labels, String reportedAssigned) {

        /** Whether it carries every label of {@code select}. */
        public boolean matches(Map<String, String> select) {
            return select.entrySet().stream().allMatch(label -> label.getValue().equals(labels.get(label.getKey())));
        }
    }

    /** Reads the fleet from {@code store}: hosts, assignments, the rollout and its lock. */
    public static FleetView read(EtcdStore store) {
        StoreLayout layout = store.layout();
        Map<String, String> hostKeys = store.list(layout.hosts());
        Map<String, String> assignments = store.list(layout.assignments());
        Map<String, String> rollout = store.list(layout.prefix() + "rollout/");
        Instant now = Instant.now();
        TreeSet<String> names = new TreeSet<>();
        for (String key : hostKeys.keySet()) {
            String rest = key.substring(layout.hosts().length());
            names.add(rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest);
        }
        assignments.keySet().forEach(key -> names.add(key.substring(layout.assignments().length())));
        List<Host> hosts = new ArrayList<>();
        for (String name : names) {
            String json = hostKeys.get(layout.status(name));
            HostStatus status = json == null ? null : HostStatus.fromJson(name, layout.status(name), json);
            boolean online = hostKeys.containsKey(layout.registration(name));
            HostStatus.State state = !online ? HostStatus.State.OFFLINE
                    : status == null ? HostStatus.State.APPLYING : status.state();
            String assigned = assignments.containsKey(layout.assignment(name))
                    ? assignments.get(layout.assignment(name)).strip() : status == null ? null : status.assigned();
            if (online && status != null && state == HostStatus.State.CONVERGED && !status.revision().equals(assigned)) {
                state = HostStatus.State.APPLYING; // assigned anew, not reported yet
            }
            hosts.add(new Host(name, state, status == null ? null : status.revision(), assigned,
                    status == null ? null : status.error(), status == null ? null : ago(status.time(), now),
                    labels(hostKeys.get(layout.registration(name))), status == null ? null : status.assigned()));
        }
        String state = rollout.get(layout.rollout());
        String lock = rollout.get(layout.rolloutLock());
        return new FleetView(hosts, now, state == null ? null : RolloutState.fromJson(layout.rollout(), state),
                lock == null ? null : ControllerLock.describe(lock));
    }

    /** The labels of a registration; none when there is none or it cannot be read. */
    private static Map<String, String> labels(String registration) {
        if (registration == null) {
            return Map.of();
        }
        try {
            JsonNode labels = JSON.readTree(registration).path("labels");
            Map<String, String> found = new TreeMap<>();
            labels.fields().forEachRemaining(label -> found.put(label.getKey(), label.getValue().asText()));
            return found;
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    /** The host named {@code name}, if the fleet knows it. */
    public Optional<Host> host(String name) {
        return hosts.stream().filter(host -> host.name().equals(name)).findFirst();
    }

    /** The hosts carrying every label of {@code select}; every host when it is empty. */
    public FleetView selecting(Map<String, String> select) {
        return new FleetView(hosts.stream().filter(host -> host.matches(select)).toList(), at, rollout, controller);
    }

    private static Duration ago(String time, Instant now) {
        try {
            Duration ago = Duration.between(Instant.parse(time), now);
            return ago.isNegative() ? Duration.ZERO : ago;
        } catch (DateTimeParseException | NullPointerException e) {
            return null;
        }
    }

    /** How many hosts are in each state, every state listed. */
    public Map<HostStatus.State, Integer> counts() {
        Map<HostStatus.State, Integer> counts = new EnumMap<>(HostStatus.State.class);
        for (HostStatus.State state : HostStatus.State.values()) {
            counts.put(state, 0);
        }
        hosts.forEach(host -> counts.merge(host.state(), 1, Integer::sum));
        return counts;
    }

    public boolean allConverged() {
        return hosts.stream().allMatch(host -> host.state() == HostStatus.State.CONVERGED);
    }
}
