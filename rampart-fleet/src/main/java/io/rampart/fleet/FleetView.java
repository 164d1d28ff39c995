package io.rampart.fleet;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The fleet as etcd holds it now: every host that registered, reported or was assigned a revision,
 * each with its last report, and offline when its registration's lease is gone.
 */
public record FleetView(List<Host> hosts, Instant at) {

    /**
     * One host.
     *
     * @param reportedAgo how long ago it last reported; null when it never did
     */
    public record Host(String name, HostStatus.State state, String revision, String assigned, String error,
                       Duration reportedAgo) {
    }

    /** Reads the fleet from {@code store} in two range reads. */
    public static FleetView read(EtcdStore store) {
        StoreLayout layout = store.layout();
        Map<String, String> hostKeys = store.list(layout.hosts());
        Map<String, String> assignments = store.list(layout.assignments());
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
                    status == null ? null : status.error(), status == null ? null : ago(status.time(), now)));
        }
        return new FleetView(hosts, now);
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
