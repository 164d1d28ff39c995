package io.rampart.model.extensions;

import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.value.Range;
import java.util.List;

/** The standard verdicts, which end (or return from) a chain. */
final class VerdictTargets {

    private VerdictTargets() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(
                ExtensionSpec.target("ACCEPT", "let the packet through this table's hook")
                        .does(new TargetSemantics.Verdict(TargetSemantics.Verdict.Kind.ACCEPT)),
                ExtensionSpec.target("DROP", "discard the packet silently")
                        .does(new TargetSemantics.Verdict(TargetSemantics.Verdict.Kind.DROP))
                        .canonicalizedBy((options, context) -> {
                            if (context.table() == Table.NAT) {
                                throw new InvalidValueException("-j DROP is refused in the nat table, which only"
                                        + " sees a connection's first packet: drop in filter (or raw, mangle)");
                            }
                            return options;
                        }),
                ExtensionSpec.target("RETURN", "go back to the calling chain (in a built-in chain: its policy)")
                        .does(new TargetSemantics.Return()),
                // iptables-nft has no QUEUE verdict: the kernel refuses the rule.
                ExtensionSpec.target("QUEUE", "hand the packet to user space on queue 0 (not with nf_tables)")
                        .does(new TargetSemantics.Queue(Range.of(0), false))
                        .canonicalizedBy((options, context) -> {
                            throw new InvalidValueException("-j QUEUE is not supported by the nf_tables backend:"
                                    + " use -j NFQUEUE --queue-num 0");
                        }));
    }
}
