package io.rampart.model.extensions;

import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import java.util.List;

/** The standard verdicts, which end (or return from) a chain. */
final class VerdictTargets {

    private VerdictTargets() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(
                ExtensionSpec.target("ACCEPT", "let the packet through this table's hook"),
                ExtensionSpec.target("DROP", "discard the packet silently")
                        .canonicalizedBy((options, context) -> {
                            if (context.table() == Table.NAT) {
                                throw new InvalidValueException("-j DROP is refused in the nat table, which only"
                                        + " sees a connection's first packet: drop in filter (or raw, mangle)");
                            }
                            return options;
                        }),
                ExtensionSpec.target("RETURN", "go back to the calling chain (in a built-in chain: its policy)"),
                // iptables-nft has no QUEUE verdict: the kernel refuses the rule.
                ExtensionSpec.target("QUEUE", "hand the packet to user space on queue 0 (not with nf_tables)")
                        .canonicalizedBy((options, context) -> {
                            throw new InvalidValueException("-j QUEUE is not supported by the nf_tables backend:"
                                    + " use -j NFQUEUE --queue-num 0");
                        }));
    }
}
