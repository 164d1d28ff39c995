package io.rampart.model.extensions;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.util.List;
import java.util.Locale;

/** REJECT: drop the packet and answer with an ICMP error or a TCP reset. */
final class RejectTarget {

    /** A reply type: the name iptables-save prints and its short alias. */
    private record ReplyType(String name, String alias) {
    }

    /** In the order iptables tries them: the first whose name or alias starts with the given text wins. */
    private static final List<ReplyType> IPV4_TYPES = List.of(
            new ReplyType("icmp-net-unreachable", "net-unreach"),
            new ReplyType("icmp-host-unreachable", "host-unreach"),
            new ReplyType("icmp-proto-unreachable", "proto-unreach"),
            new ReplyType("icmp-port-unreachable", "port-unreach"),
            new ReplyType("icmp-net-prohibited", "net-prohib"),
            new ReplyType("icmp-host-prohibited", "host-prohib"),
            new ReplyType("tcp-reset", "tcp-rst"),
            new ReplyType("icmp-admin-prohibited", "admin-prohib"));

    private static final List<ReplyType> IPV6_TYPES = List.of(
            new ReplyType("icmp6-no-route", "no-route"),
            new ReplyType("icmp6-adm-prohibited", "adm-prohibited"),
            new ReplyType("icmp6-addr-unreachable", "addr-unreach"),
            new ReplyType("icmp6-port-unreachable", "port-unreach"),
            new ReplyType("tcp-reset", "tcp-reset"),
            new ReplyType("icmp6-policy-fail", "policy-fail"),
            new ReplyType("icmp6-reject-route", "reject-route"));

    private RejectTarget() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(spec(Family.IPV4, IPV4_TYPES, "icmp-port-unreachable"),
                spec(Family.IPV6, IPV6_TYPES, "icmp6-port-unreachable"));
    }

    private static ExtensionSpec spec(Family family, List<ReplyType> types, String defaultType) {
        return ExtensionSpec.target("REJECT", "drop the packet and send an error reply",
                        OptionSpec.of("reject-with", "reply to send (default " + defaultType + "); tcp-reset"
                                + " needs -p tcp", replyType(types)))
                .onlyFor(family)
                .inTables(Table.FILTER)
                .atHooks(Hook.INPUT, Hook.FORWARD, Hook.OUTPUT)
                .does(new TargetSemantics.Verdict(TargetSemantics.Verdict.Kind.REJECT))
                .canonicalizedBy((options, context) -> {
                    if (options.isEmpty()) {
                        return List.of(Option.of("reject-with", defaultType));
                    }
                    if (options.get(0).arg().equals("tcp-reset")) {
                        Checks.requireProtocol(context, "--reject-with tcp-reset", "tcp");
                    }
                    return options;
                });
    }

    private static ValueType replyType(List<ReplyType> types) {
        String syntax = String.join("|", types.stream().map(ReplyType::name).toList());
        return Values.of("reject-type", syntax, (raw, ctx) -> {
            String given = raw.toLowerCase(Locale.ROOT);
            for (ReplyType type : types) {
                if (type.name().startsWith(given) || type.alias().startsWith(given)) {
                    return type.name();
                }
            }
            throw new InvalidValueException("unknown reject type `" + raw + "': use one of "
                    + syntax.replace("|", ", ") + (given.startsWith("echo") ? " (echo-reply is no longer"
                    + " supported)" : ""));
        });
    }
}
