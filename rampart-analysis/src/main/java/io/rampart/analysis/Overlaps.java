package io.rampart.analysis;

import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.value.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * Which later rules of a chain may match packets a rule matches, told by the networks their
 * {@code -s} and {@code -d} name: two rules whose source (or destination) networks are disjoint
 * match no packet alike. It says no more than that, so a rule it names may still share no packet;
 * it lets the analysis of a chain of thousands of rules for distinct networks skip, for each rule,
 * the rules that cannot meet its packets.
 */
final class Overlaps {

    /** The first {@code length} bits of an address (at most 64), from the most significant. */
    private record Prefix(long bits, int length) {
        static final Prefix ANY = new Prefix(0, 0);

        boolean overlaps(Prefix other) {
            int shorter = Math.min(length, other.length);
            long mask = shorter == 0 ? 0 : -1L << (64 - shorter);
            return ((bits ^ other.bits) & mask) == 0;
        }
    }

    private final Prefix[] sources;
    private final Prefix[] destinations;

    /** Over the rules of one chain, in order. */
    Overlaps(List<Rule> rules) {
        sources = new Prefix[rules.size()];
        destinations = new Prefix[rules.size()];
        for (int i = 0; i < rules.size(); i++) {
            sources[i] = prefix(rules.get(i), "s");
            destinations[i] = prefix(rules.get(i), "d");
        }
    }

    /** The positions after {@code position} whose rules may match a packet the rule at {@code position} matches. */
    List<Integer> after(int position) {
        List<Integer> later = new ArrayList<>();
        for (int i = position + 1; i < sources.length; i++) {
            if (sources[i].overlaps(sources[position]) && destinations[i].overlaps(destinations[position])) {
                later.add(i);
            }
        }
        return later;
    }

    /** How many positions {@link #after} names, summed over the chain, stopping once past {@code bound}. */
    long total(long bound) {
        long total = 0;
        for (int position = 0; position < sources.length && total <= bound; position++) {
            for (int i = position + 1; i < sources.length; i++) {
                if (sources[i].overlaps(sources[position]) && destinations[i].overlaps(destinations[position])) {
                    total++;
                }
            }
        }
        return total;
    }

    /** The network an address option names, as its leading bits under the mask; any address when negated or absent. */
    private static Prefix prefix(Rule rule, String name) {
        for (Option option : rule.header()) {
            if (option.name().equals(name) && !option.negated() && option.value() instanceof Network network) {
                byte[] address = network.address();
                byte[] mask = network.mask();
                long bits = 0;
                int length = 0;
                for (int k = 0; k < Math.min(8, address.length); k++) {
                    bits |= (address[k] & 0xffL) << (56 - 8 * k);
                }
                for (int k = 0; k < mask.length && length < 64; k++) {
                    int ones = Integer.numberOfLeadingZeros(~(mask[k] << 24) | 0xff_ffff);
                    length += Math.min(ones, 8);
                    if (ones < 8) {
                        break;
                    }
                }
                length = Math.min(length, 64);
                long kept = length == 0 ? 0 : -1L << (64 - length);
                return new Prefix(bits & kept, length);
            }
        }
        return Prefix.ANY;
    }
}
