package io.rampart.api;

import io.rampart.api.LiveRulesetResult.ChainView;
import io.rampart.api.LiveRulesetResult.RuleView;
import io.rampart.api.LiveRulesetResult.TableView;
import io.rampart.model.Family;
import io.rampart.system.agent.DurationHistogram;
import io.rampart.system.agent.SyncStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@code GET /metrics} reports, in Prometheus' text format: the kernel's counters per rule while
 * a family has at most {@code ruleSeries} rules, per chain while it has at most as many chains, and
 * per table always, so a 100,000-rule ruleset stays a bounded set of series; whether the kernel
 * holds the server's file; applies through the API; what the agent on the same rules recorded; and
 * pending confirmations. Every scrape reads the kernel afresh.
 */
final class Metrics {

    private final RampartService service;
    private final int ruleSeries;
    private final Path agentRoot;
    private final DurationHistogram apiApplies = new DurationHistogram();
    private final AtomicLong apiChanges = new AtomicLong();

    Metrics(RampartService service, int ruleSeries, Path agentRoot) {
        this.service = service;
        this.ruleSeries = ruleSeries;
        this.agentRoot = agentRoot;
    }

    /** An apply through the API, counted whether or not it changed anything. */
    void applied(ApplyResult result) {
        apiApplies.observe(Duration.ofMillis(result.milliseconds()));
        if (result.changed()) {
            apiChanges.incrementAndGet();
        }
    }

    String scrape() {
        PrometheusText out = declared(new PrometheusText());
        for (Family family : Family.values()) {
            String name = family.name().toLowerCase(Locale.ROOT);
            try {
                counters(service.live(name), out);
                out.sample("rampart_ruleset_readable", List.of("family", name), 1);
            } catch (RuntimeException e) {
                // one family's tools may be missing or refuse; the others are still reported
                out.sample("rampart_ruleset_readable", List.of("family", name), 0);
            }
            out.sample("rampart_pending_confirmations", List.of("family", name),
                    service.pending(name).isPresent() ? 1 : 0);
            Optional<SyncStats> agent = SyncStats.read(SyncStats.fileOf(agentRoot, service.netns().orElse(null),
                    family));
            agent.ifPresent(stats -> agentMetrics(name, stats, out));
        }
        if (service.file().isPresent()) {
            drift(out);
        }
        out.sample("rampart_applies_total", List.of("by", "api"), apiApplies.count());
        out.sample("rampart_applies_changed_total", List.of("by", "api"), apiChanges.get());
        out.histogram("rampart_apply_duration_seconds", List.of("by", "api"), apiApplies);
        return out.text();
    }

    private static PrometheusText declared(PrometheusText out) {
        return out
                .metric("rampart_rule_packets_total", "counter", "Packets the kernel counted for a rule.")
                .metric("rampart_rule_bytes_total", "counter", "Bytes the kernel counted for a rule.")
                .metric("rampart_chain_rule_packets_total", "counter",
                        "Packets counted by the rules of a chain, summed.")
                .metric("rampart_chain_rule_bytes_total", "counter",
                        "Bytes counted by the rules of a chain, summed.")
                .metric("rampart_table_rule_packets_total", "counter", "Packets counted by the rules of a table, summed.")
                .metric("rampart_table_rule_bytes_total", "counter", "Bytes counted by the rules of a table, summed.")
                .metric("rampart_chain_policy_packets_total", "counter",
                        "Packets that reached the policy of a built-in chain.")
                .metric("rampart_chain_policy_bytes_total", "counter", "Bytes that reached the policy of a built-in chain.")
                .metric("rampart_rules", "gauge", "Rules in a table.")
                .metric("rampart_rule_series_limited", "gauge",
                        "1 when the family has more rules than --metrics-rules and its counters are per chain or table.")
                .metric("rampart_ruleset_readable", "gauge", "1 when the family's live ruleset could be read.")
                .metric("rampart_drift", "gauge", "1 when the kernel differs from the server's ruleset file, else 0.")
                .metric("rampart_drifted_chains", "gauge", "Chains that differ from the server's ruleset file.")
                .metric("rampart_file_readable", "gauge", "1 when the server's ruleset file could be read and planned.")
                .metric("rampart_pending_confirmations", "gauge", "Applies awaiting confirmation before they roll back.")
                .metric("rampart_applies_total", "counter", "Applies of a ruleset, whether or not they changed anything.")
                .metric("rampart_applies_changed_total", "counter", "Applies that wrote the kernel.")
                .metric("rampart_apply_duration_seconds", "histogram", "How long applies took.")
                .metric("rampart_repairs_total", "counter", "Drift the agent found and repaired.")
                .metric("rampart_repair_duration_seconds", "histogram", "How long the agent's repairs took.")
                .metric("rampart_agent_last_sync_timestamp_seconds", "gauge",
                        "When the agent last found the kernel holding its file, or made it.");
    }

    private void counters(LiveRulesetResult live, PrometheusText out) {
        String family = live.family();
        long rules = 0;
        long chains = 0;
        for (TableView table : live.tables()) {
            chains += table.chains().size();
            for (ChainView chain : table.chains()) {
                rules += chain.rules().size();
            }
        }
        boolean perRule = rules <= ruleSeries;
        boolean perChain = chains <= ruleSeries;
        out.sample("rampart_rule_series_limited", List.of("family", family), perRule ? 0 : 1);
        for (TableView table : live.tables()) {
            long tablePackets = 0;
            long tableBytes = 0;
            long tableRules = 0;
            for (ChainView chain : table.chains()) {
                List<String> labels = List.of("family", family, "table", table.table(), "chain", chain.name());
                if (chain.policy() != null) {
                    out.sample("rampart_chain_policy_packets_total", labels, chain.packets());
                    out.sample("rampart_chain_policy_bytes_total", labels, chain.bytes());
                }
                long packets = 0;
                long bytes = 0;
                for (RuleView rule : chain.rules()) {
                    packets += rule.packets();
                    bytes += rule.bytes();
                    if (perRule) {
                        List<String> ruleLabels = List.of("family", family, "table", table.table(), "chain",
                                chain.name(), "position", Integer.toString(rule.number()), "source",
                                rule.source() == null ? "" : rule.source());
                        out.sample("rampart_rule_packets_total", ruleLabels, rule.packets());
                        out.sample("rampart_rule_bytes_total", ruleLabels, rule.bytes());
                    }
                }
                if (perChain) {
                    out.sample("rampart_chain_rule_packets_total", labels, packets);
                    out.sample("rampart_chain_rule_bytes_total", labels, bytes);
                }
                tablePackets += packets;
                tableBytes += bytes;
                tableRules += chain.rules().size();
            }
            List<String> labels = List.of("family", family, "table", table.table());
            out.sample("rampart_table_rule_packets_total", labels, tablePackets);
            out.sample("rampart_table_rule_bytes_total", labels, tableBytes);
            out.sample("rampart_rules", labels, tableRules);
        }
    }

    private void drift(PrometheusText out) {
        List<String> labels = List.of("family", service.family().name().toLowerCase(Locale.ROOT));
        try {
            StatusResult status = service.status();
            out.sample("rampart_drift", labels, status.inSync() ? 0 : 1);
            out.sample("rampart_drifted_chains", labels, status.plan().changes().size());
            out.sample("rampart_file_readable", labels, 1);
        } catch (RuntimeException e) {
            out.sample("rampart_file_readable", labels, 0);
        }
    }

    private static void agentMetrics(String family, SyncStats stats, PrometheusText out) {
        List<String> labels = List.of("by", "agent", "family", family);
        out.sample("rampart_applies_total", labels, stats.applies());
        out.histogram("rampart_apply_duration_seconds", labels, stats.applyDurations());
        out.sample("rampart_repairs_total", List.of("family", family), stats.repairs());
        out.histogram("rampart_repair_duration_seconds", List.of("family", family), stats.repairDurations());
        stats.lastSync().ifPresent(at -> out.sample("rampart_agent_last_sync_timestamp_seconds",
                List.of("family", family), at.toEpochMilli() / 1000.0));
    }
}
