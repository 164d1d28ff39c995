package io.rampart.model.extensions;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.Canonicalizer;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.PacketField;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Matches on what the kernel knows about a packet beyond its headers: comment, marks, owner, cgroup,
 * cluster (which node of a cluster handles it) and osf (which operating system sent it).
 */
final class MetaMatches {

    private static final long MAX_ID = 0xfffffffeL;

    private MetaMatches() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(comment(), mark("mark", "the packet's mark"), mark("connmark", "the connection's mark"), owner(),
                cgroup(), cluster(), osf());
    }

    private static ExtensionSpec comment() {
        return ExtensionSpec.match("comment", "a note kept with the rule; matches every packet",
                OptionSpec.of("comment", "the note (the kernel keeps 255 bytes)", Values.truncatedText(255))
                        .required())
                .means(MatchSemantics.ALWAYS);
    }

    private static ExtensionSpec mark(String name, String what) {
        return ExtensionSpec.match(name, what + ", all bits or those of a mask",
                OptionSpec.of("mark", what + " equals value, after AND with mask when one is given",
                        Marks.MATCH_VALUE_MASK).invertible().required()
                        .tests(name.equals("connmark") ? PacketField.CT_MARK : PacketField.MARK))
                .means(MatchSemantics.tests(MatchSemantics.CONNECTION_NOT_READ));
    }

    private static ExtensionSpec owner() {
        return ExtensionSpec.match("owner", "the user or group of the local socket that sent the packet",
                        OptionSpec.flag("socket-exists", "the packet has a local socket").invertible(),
                        OptionSpec.of("uid-owner", "user name, number or range first-last", idRange("user", HostNames::userId))
                                .invertible(),
                        OptionSpec.of("gid-owner", "group name, number or range first-last", idRange("group", HostNames::groupId))
                                .invertible(),
                        OptionSpec.flag("suppl-groups", "--gid-owner also matches the supplementary groups"))
                .atHooks(Hook.OUTPUT, Hook.POSTROUTING)
                .canonicalizedBy(Canonicalizer.inGivenOrder(MetaMatches::ownerCanonical));
    }

    /** Given order: iptables takes --suppl-groups only after --gid-owner. */
    private static List<Option> ownerCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        boolean group = false;
        for (Option option : options) {
            group |= option.name().equals("gid-owner");
            if (option.name().equals("suppl-groups") && !group) {
                throw new InvalidValueException("--suppl-groups must follow --gid-owner");
            }
        }
        Checks.notEmpty(options, "match owner", "--uid-owner, --gid-owner or --socket-exists");
        return Checks.inSaveOrder(options, List.of("socket-exists", "uid-owner", "gid-owner", "suppl-groups"));
    }

    /**
     * A user or group: a name the host knows ({@code lookup}), else a number or range
     * {@code first-last} (or {@code first:last}) in any base; printed as numbers, as iptables-save does.
     */
    private static ValueType idRange(String what, BiFunction<HostNames, String, Optional<Long>> lookup) {
        return Values.of("id-range", "name|id[-id]", (raw, ctx) -> {
            Optional<Long> named = lookup.apply(ctx.names(), raw);
            if (named.isPresent()) {
                return Long.toString(named.get());
            }
            // owner_parse_range: a number, then optionally `-' or `:' and another, and nothing else.
            CNumbers.Read first = CNumbers.xtablesPrefix(raw, 0, 0, MAX_ID);
            CNumbers.Read last = first;
            if (first != null && first.end() < raw.length() && "-:".indexOf(raw.charAt(first.end())) >= 0) {
                last = CNumbers.xtablesPrefix(raw, first.end() + 1, 0, MAX_ID);
            }
            if (last == null || last.end() != raw.length()) {
                throw new InvalidValueException("`" + raw + "' is no " + what + " name in /etc/" + (what.equals("user")
                        ? "passwd" : "group") + " and no id or range 0-" + MAX_ID);
            }
            if (first.value() > last.value()) {
                throw new InvalidValueException("range `" + raw + "' is reversed: write " + last.value() + "-"
                        + first.value());
            }
            return first.value() == last.value() ? Long.toString(first.value()) : first.value() + "-" + last.value();
        });
    }

    private static ExtensionSpec cgroup() {
        return ExtensionSpec.match("cgroup", "the control group of the local socket",
                        OptionSpec.of("path", "cgroup v2 path (must exist when the rule is loaded)",
                                Values.truncatedText(4095)).invertible(),
                        OptionSpec.of("cgroup", "net_cls class id (cgroup v1)", Values.decimal(0, CNumbers.UINT32_MAX))
                                .invertible())
                .atHooks(Hook.INPUT, Hook.OUTPUT, Hook.POSTROUTING)
                .canonicalizedBy(MetaMatches::cgroupCanonical);
    }

    private static List<Option> cgroupCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        if (options.size() != 1) {
            throw new InvalidValueException(options.isEmpty() ? "match cgroup needs --path or --cgroup"
                    : "match cgroup takes --path or --cgroup, not both");
        }
        return options;
    }

    // ---- cluster

    private static final int MAX_NODES = 32;

    /** A 32-bit value printed as iptables prints cluster masks and seeds: {@code 0x} and eight hex digits. */
    private static String hex8(long value) {
        return String.format("0x%08x", value);
    }

    private static ExtensionSpec cluster() {
        return ExtensionSpec.match("cluster", "the packet's hash falls to this node of a cluster",
                        OptionSpec.of("cluster-local-nodemask", "the nodes this host is, as a mask (iptables takes"
                                + " 1-32 only)", Values.of("nodemask", "1..32",
                                (raw, ctx) -> hex8(CNumbers.xtables(raw, 1, MAX_NODES)))).invertible(),
                        OptionSpec.of("cluster-total-nodes", "number of nodes", Values.decimal(1, MAX_NODES))
                                .required(),
                        OptionSpec.of("cluster-hash-seed", "seed of the hash, the same on every node",
                                Values.of("seed", "0..4294967295",
                                        (raw, ctx) -> hex8(CNumbers.xtables(raw, 0, CNumbers.UINT32_MAX))))
                                .required(),
                        OptionSpec.of("cluster-local-node", "the node this host is (1-32)",
                                Values.decimal(1, MAX_NODES)).invertible())
                .canonicalizedBy(MetaMatches::clusterCanonical);
    }

    /** --cluster-local-node N is kept as the mask of node N; the mask must name nodes that exist. */
    private static List<Option> clusterCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        Checks.atMostOne(options, "match cluster", "cluster-local-node", "cluster-local-nodemask");
        Option node = Checks.find(options, "cluster-local-node").orElse(null);
        Option mask = Checks.find(options, "cluster-local-nodemask").orElse(null);
        long total = Long.parseLong(Checks.find(options, "cluster-total-nodes").orElseThrow().arg());
        if (node == null && mask == null) {
            throw new InvalidValueException("match cluster needs --cluster-local-node or --cluster-local-nodemask");
        }
        if (node != null && Long.parseLong(node.arg()) > total) {
            throw new InvalidValueException("--cluster-local-node must be <= --cluster-total-nodes");
        }
        long bits = node != null ? 1L << (Long.parseLong(node.arg()) - 1) : Long.decode(mask.arg());
        if (bits >= 1L << total) {
            throw new InvalidValueException("--cluster-local-nodemask too big for --cluster-total-nodes");
        }
        List<Option> out = new ArrayList<>();
        out.add(Option.negated("cluster-local-nodemask", (node != null ? node : mask).negated(), hex8(bits)));
        options.stream().filter(o -> o.name().startsWith("cluster-total") || o.name().startsWith("cluster-hash"))
                .forEach(out::add);
        return out;
    }

    // ---- osf

    /** The genre as the kernel keeps it (31 bytes), printed as it is: iptables-save does not quote it. */
    private static final ValueType GENRE = Values.of("genre", "text", Values.truncatedText(31)::canonical);

    private static ExtensionSpec osf() {
        return ExtensionSpec.match("osf", "the operating system a TCP SYN comes from, by passive fingerprint (the"
                                + " kernel needs fingerprints loaded with nfnl_osf)",
                        OptionSpec.of("genre", "the operating system's genre, e.g. Linux", GENRE).invertible()
                                .required(),
                        OptionSpec.of("ttl", "0: compare the TTL exactly, 1: the packet's may be lower, 2: not at all",
                                Values.decimal(0, 2)),
                        OptionSpec.of("log", "log genres: 0 every match or unknown, 1 the first, 2 every known",
                                Values.decimal(0, 2)))
                .onlyFor(Family.IPV4)
                .atHooks(Hook.PREROUTING, Hook.INPUT, Hook.FORWARD)
                .canonicalizedBy(Checks.needsProtocol("match osf", "tcp"));
    }
}
