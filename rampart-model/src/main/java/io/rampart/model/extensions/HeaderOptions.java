package io.rampart.model.extensions;

import io.rampart.model.Family;
import io.rampart.model.Option;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.PacketField;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.value.Network;
import io.rampart.model.value.Protocol;
import io.rampart.model.value.Text;
import io.rampart.model.value.Value;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The options every rule has, whatever its matches: addresses, interfaces, protocol, fragments. */
final class HeaderOptions {

    private HeaderOptions() {
    }

    /** One or more comma-separated hosts or networks; each becomes a rule of its own. */
    static final ValueType NETWORKS = new ValueType.Named("networks", "address[/mask][,...]") {
        @Override
        public String canonical(String raw, ValueContext context) throws InvalidValueException {
            return parse(raw, context).text();
        }

        /** One network, or the comma-separated list that is to become one rule each. */
        @Override
        public Value parse(String raw, ValueContext context) throws InvalidValueException {
            if (raw.equals("!")) {
                throw new InvalidValueException("`! ADDRESS' after the option is not accepted: put the `!' before it");
            }
            Set<Network> networks = new LinkedHashSet<>();
            for (String part : raw.split(",", -1)) {
                networks.addAll(Addresses.networks(part, context.family(), context.names()));
            }
            if (networks.size() == 1) {
                return networks.iterator().next();
            }
            return new Text(String.join(",", networks.stream().map(Network::text).toList()));
        }

        /** The value of a canonical network or list of networks. */
        @Override
        public Value value(String canonical) {
            return canonical.indexOf(',') >= 0 ? new Text(canonical) : Addresses.network(canonical, true);
        }

        @Override
        public boolean expandsToRules() {
            return true;
        }
    };

    /** A protocol by name or number; iptables-save prints the name when it knows one. */
    static final ValueType PROTOCOL = new ValueType.Named("protocol", "name|number") {
        @Override
        public String canonical(String raw, ValueContext context) throws InvalidValueException {
            return context.names().protocolName(number(raw, context));
        }

        @Override
        public Value parse(String raw, ValueContext context) throws InvalidValueException {
            int number = number(raw, context);
            return new Protocol(number, context.names().protocolName(number));
        }

        /**
         * A canonical name of an option built from text alone: a number or one of iptables' own
         * names; a name only the host knows leaves the option as text (see {@link ExtensionSpec#typed}).
         */
        @Override
        public Value value(String canonical) {
            return value(canonical, NameDatabase.builtin());
        }

        @Override
        public Value value(String canonical, HostNames names) {
            return new Protocol(names.protocolNumber(canonical).orElseThrow(
                    () -> new IllegalArgumentException("unknown protocol `" + canonical + "'")),
                    canonical);
        }

        private int number(String raw, ValueContext context) throws InvalidValueException {
            if (raw.equals("!")) {
                throw new InvalidValueException("`-p ! PROTO' is not accepted: write `! -p PROTO'");
            }
            return context.names().protocolNumber(raw)
                    .orElseThrow(() -> new InvalidValueException("unknown protocol `" + raw + "' specified"));
        }
    };

    static List<ExtensionSpec> specs() {
        return List.of(header(Family.IPV4), header(Family.IPV6));
    }

    private static ExtensionSpec header(Family family) {
        List<OptionSpec> options = new ArrayList<>(List.of(
                OptionSpec.of("s", "source address or network (host names resolve to all their addresses)", NETWORKS)
                        .alias("source", "src").invertible().tests(PacketField.SOURCE),
                OptionSpec.of("d", "destination address or network", NETWORKS).tests(PacketField.DESTINATION)
                        .alias("destination", "dst").invertible(),
                OptionSpec.of("i", "interface the packet arrived on (`+' matches a prefix)", Values.INTERFACE)
                        .alias("in-interface").invertible().tests(PacketField.IN_INTERFACE),
                OptionSpec.of("o", "interface the packet will leave on (`+' matches a prefix)", Values.INTERFACE)
                        .alias("out-interface").invertible().tests(PacketField.OUT_INTERFACE),
                OptionSpec.of("p", "layer-4 protocol by name or number (`all' matches any)", PROTOCOL)
                        .alias("protocol").invertible().tests(PacketField.PROTOCOL)));
        if (family == Family.IPV4) {
            options.add(OptionSpec.flag("f", "second and later fragments only").alias("fragment").invertible()
                    .tests(PacketField.FRAGMENT));
        }
        return ExtensionSpec.header(family, "addresses, interfaces and protocol of every rule",
                        options.toArray(OptionSpec[]::new))
                .canonicalizedBy(HeaderOptions::dropMatchAll)
                .means(MatchSemantics.tests(null));
    }

    /**
     * {@code -p all}, {@code -s 0/0} and {@code -i +} match every packet; the kernel does not keep
     * them ({@code ! -i +} it keeps, as a name no interface has).
     */
    private static List<Option> dropMatchAll(List<Option> options, ValueContext context)
            throws InvalidValueException {
        List<Option> out = new ArrayList<>();
        for (Option option : options) {
            boolean address = option.name().equals("s") || option.name().equals("d");
            if (address && !option.negated() && option.arg().endsWith("/0")) {
                continue;
            }
            boolean anyInterface = (option.name().equals("i") || option.name().equals("o")) && option.arg().equals("+");
            if (anyInterface && !option.negated()) {
                continue;
            }
            if (option.name().equals("p") && option.arg().equals("all")) {
                if (option.negated()) {
                    throw new InvalidValueException("`! -p all' would never match: no packet has no protocol");
                }
                continue;
            }
            out.add(option);
        }
        return out;
    }
}
