package io.rampart.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.model.Failure;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * {@code fleet plan}: asks the selected online hosts to plan a revision against their own kernels and
 * gathers their answers, waiting a bounded time.
 *
 * @param answers    each host that answered, by name
 * @param unanswered the selected hosts that did not answer in time
 */
public record FleetPlan(String revision, Map<String, HostPlan> answers, List<String> unanswered) {

    /** How often the answers are read while waiting. */
    private static final long POLL_MILLIS = 200;

    /**
     * Asks every online host whose labels match {@code select} to plan {@code revision}, and waits up to
     * {@code wait} for their answers. An unknown revision, or a selector that matches no online host, is
     * refused (exit 1) before anything is written.
     */
    public static FleetPlan request(EtcdStore store, String revision, Map<String, String> select, Duration wait) {
        StoreLayout layout = store.layout();
        if (store.get(layout.revision(revision)).isEmpty()) {
            throw new Failure(Failure.Category.INPUT, "revision " + revision + " is not published in etcd at "
                    + store.endpoints() + " (fleet publish prints the ids)");
        }
        PlanRequest request = new PlanRequest(UUID.randomUUID().toString(), revision, select,
                Instant.now().plus(wait).toString());
        List<String> selected = onlineHosts(store).entrySet().stream().filter(e -> request.selects(e.getValue()))
                .map(Map.Entry::getKey).toList();
        if (selected.isEmpty()) {
            throw new Failure(Failure.Category.INPUT, select.isEmpty() ? "no host of the fleet is online"
                    : "--select " + select + ": no online host has these labels");
        }
        store.put(layout.planRequest(), request.toJson());
        Map<String, HostPlan> answers = new TreeMap<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            for (String host : selected) {
                if (!answers.containsKey(host)) {
                    store.get(layout.plan(host)).map(HostPlan::fromJson)
                            .filter(answer -> request.id().equals(answer.request()))
                            .ifPresent(answer -> answers.put(host, answer));
                }
            }
            if (answers.size() == selected.size() || System.nanoTime() > deadline) {
                break;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<String> unanswered = selected.stream().filter(host -> !answers.containsKey(host)).toList();
        return new FleetPlan(revision, answers, unanswered);
    }

    /** The hosts whose values make the revision fail. */
    public List<String> failed() {
        return answers.values().stream().filter(answer -> answer.error() != null).map(HostPlan::host).toList();
    }

    /** Every online host with its labels, from the registrations its lease holds. */
    static Map<String, Map<String, String>> onlineHosts(EtcdStore store) {
        StoreLayout layout = store.layout();
        Map<String, Map<String, String>> online = new TreeMap<>();
        for (Map.Entry<String, String> key : store.list(layout.hosts()).entrySet()) {
            String rest = key.getKey().substring(layout.hosts().length());
            if (!rest.endsWith("/registration")) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            try {
                JsonNode node = PlanRequest.JSON.readTree(key.getValue()).path("labels");
                node.fields().forEachRemaining(label -> labels.put(label.getKey(), label.getValue().asText()));
            } catch (JsonProcessingException e) {
                // a registration that is no JSON has no labels to select by
            }
            online.put(rest.substring(0, rest.length() - "/registration".length()), labels);
        }
        return online;
    }
}
