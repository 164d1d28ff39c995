package io.rampart.model.extensions;

import io.rampart.model.Option;
import io.rampart.model.extension.InvalidValueException;
import java.util.ArrayList;
import java.util.List;

/**
 * How the nf_tables backend stores port ranges: the full range means "any port" and is not kept,
 * negated or not (iptables' add_nft_tcpudp makes no expression for it); a negated range from 0 up
 * is kept as the positive range above it.
 */
final class PortRanges {

    private static final int MAX_PORT = 65535;

    private PortRanges() {
    }

    static List<Option> canonical(List<Option> options, String... portOptions) throws InvalidValueException {
        List<Option> out = new ArrayList<>();
        for (Option option : options) {
            if (!List.of(portOptions).contains(option.name())) {
                out.add(option);
                continue;
            }
            int[] range = bounds(option.arg());
            if (option.negated() && range[0] > range[1]) {
                throw new InvalidValueException("invalid port range " + option.arg() + " (min > max) with `!'");
            }
            if (range[0] == 0 && range[1] == MAX_PORT) {
                continue;
            }
            if (option.negated() && range[0] == 0 && range[1] > 0) {
                out.add(Option.of(option.name(), format(range[1] + 1, MAX_PORT)));
            } else {
                out.add(option);
            }
        }
        return out;
    }

    private static int[] bounds(String canonicalRange) {
        int colon = canonicalRange.indexOf(':');
        if (colon < 0) {
            int port = Integer.parseInt(canonicalRange);
            return new int[] {port, port};
        }
        return new int[] {Integer.parseInt(canonicalRange.substring(0, colon)),
                Integer.parseInt(canonicalRange.substring(colon + 1))};
    }

    private static String format(int low, int high) {
        return low == high ? Integer.toString(low) : low + ":" + high;
    }
}
