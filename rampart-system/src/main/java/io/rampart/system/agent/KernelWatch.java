package io.rampart.system.agent;

import io.rampart.model.Family;
import io.rampart.system.Backend;
import io.rampart.system.Netns;
import java.time.Duration;

/** How the agent learns that the kernel's rules changed: from nf_tables' change events, or by polling. */
public sealed interface KernelWatch permits KernelWatch.Events, KernelWatch.Polling {

    /** nf_tables: one {@code nft monitor} in the namespace reports each change as it happens. */
    record Events(Netns netns, Family family) implements KernelWatch {
        @Override
        public String describe() {
            return "watching nf_tables change events (nft monitor)";
        }
    }

    /** Legacy iptables has no change events: compare with the kernel every {@code interval}. */
    record Polling(Duration interval) implements KernelWatch {
        @Override
        public String describe() {
            long ms = interval.toMillis();
            return "polling every " + (ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms");
        }
    }

    /** Events on nf_tables, polling every {@code interval} on legacy iptables. */
    static KernelWatch detect(Netns netns, Family family, Duration interval) {
        return Backend.detect(family) == Backend.LEGACY ? new Polling(interval) : new Events(netns, family);
    }

    /** One phrase for the log. */
    String describe();
}
