package io.rampart.model.extensions;

import io.rampart.model.Option;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.Canonicalizer;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.Quoting;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.extension.Words;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Matches on what a connection, a named counter or a rate estimator has counted: connbytes, nfacct, rateest. */
final class AccountingMatches {

    private AccountingMatches() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(connbytes(), nfacct(), rateest());
    }

    private static final long UINT64_MAX = -1L;

    /**
     * {@code from[:to]} over unsigned 64-bit counts, as xtables reads ranges (an empty end is 0
     * or the maximum); held as {@code from:to} for the canonicalizer, which knows the negation.
     */
    private static final ValueType COUNT_RANGE = Values.of("count-range", "from[:to]", (raw, ctx) -> {
        int colon = raw.indexOf(':');
        long from = count(colon < 0 ? raw : raw.substring(0, colon), 0, raw);
        long to = colon < 0 ? UINT64_MAX : count(raw.substring(colon + 1), UINT64_MAX, raw);
        if (Long.compareUnsigned(from, to) > 0) {
            throw new InvalidValueException(Long.toUnsignedString(from) + " should be less than "
                    + Long.toUnsignedString(to));
        }
        return Long.toUnsignedString(from) + ":" + Long.toUnsignedString(to);
    });

    private static long count(String text, long ifEmpty, String whole) throws InvalidValueException {
        if (text.isEmpty()) {
            return ifEmpty;
        }
        return CNumbers.xtablesWhole(text, 0, UINT64_MAX).orElseThrow(() -> new InvalidValueException("`" + whole
                + "' is not a count or range of counts from 0 to " + Long.toUnsignedString(UINT64_MAX)));
    }

    private static ExtensionSpec connbytes() {
        return ExtensionSpec.match("connbytes", "how many packets or bytes the connection has seen, or their average"
                                + " size",
                        OptionSpec.of("connbytes", "count or range from:to", COUNT_RANGE).invertible().required(),
                        OptionSpec.of("connbytes-mode", "what to count",
                                Words.choice("mode", "packets", "bytes", "avgpkt")).required(),
                        OptionSpec.of("connbytes-dir", "which direction's counters",
                                Words.choice("direction", "original", "reply", "both")).required())
                .canonicalizedBy((options, context) -> {
                    List<Option> out = new ArrayList<>();
                    for (Option option : options) {
                        out.add(option.name().equals("connbytes") ? savedCount(option) : option);
                    }
                    return out;
                })
                .means(MatchSemantics.HISTORY);
    }

    /**
     * The kernel keeps a negated range with its ends swapped, and iptables-save calls a range
     * negated exactly when its ends are out of order: a negated single count ({@code ! 5:5}) loses
     * its {@code !}. The upper end is printed unless it is 0 or the maximum.
     */
    private static Option savedCount(Option option) {
        String[] ends = option.arg().split(":");
        long from = Long.parseUnsignedLong(ends[0]);
        long to = Long.parseUnsignedLong(ends[1]);
        String text = ends[0] + (to != 0 && to != UINT64_MAX ? ":" + ends[1] : "");
        return Option.negated("connbytes", option.negated() && from != to, text);
    }

    /** An nfacct object's name: the kernel keeps 31 bytes; saved after two blanks, quoted when needed. */
    private static final ValueType ACCOUNTING_OBJECT = Values.quoted("name", "name", Quoting.WHEN_NEEDED_AFTER_BLANK,
            (raw, ctx) -> {
                if (raw.indexOf('\n') >= 0) {
                    throw new InvalidValueException("Newlines not allowed in --nfacct-name");
                }
                return Values.truncatedText(31).canonical(raw, ctx);
            });

    private static ExtensionSpec nfacct() {
        return ExtensionSpec.match("nfacct", "count the packet in a named nfacct object (it must exist); matches"
                        + " every packet",
                OptionSpec.of("nfacct-name", "the object's name", ACCOUNTING_OBJECT).required())
                .means(MatchSemantics.ALWAYS);
    }

    // ---- rateest

    /** tc's rate units (case-insensitive), in bits per second. */
    private static final Map<String, Double> RATE_UNITS = Map.ofEntries(Map.entry("bit", 1.0),
            Map.entry("kibit", 1024.0), Map.entry("kbit", 1000.0), Map.entry("mibit", 1024.0 * 1024),
            Map.entry("mbit", 1e6), Map.entry("gibit", 1024.0 * 1024 * 1024), Map.entry("gbit", 1e9),
            Map.entry("tibit", 1024.0 * 1024 * 1024 * 1024), Map.entry("tbit", 1e12), Map.entry("bps", 8.0),
            Map.entry("kibps", 8.0 * 1024), Map.entry("kbps", 8000.0), Map.entry("mibps", 8.0 * 1024 * 1024),
            Map.entry("mbps", 8e6), Map.entry("gibps", 8.0 * 1024 * 1024 * 1024), Map.entry("gbps", 8e9),
            Map.entry("tibps", 8.0 * 1024 * 1024 * 1024 * 1024), Map.entry("tbps", 8e12));

    /** A rate as the kernel keeps it, in bytes per second: a number alone is bits per second. */
    private static final ValueType RATE = Values.of("rate", "rate[bit|kbit|mbit|Bps|KBps|...]", (raw, ctx) -> {
        int end = 0;
        while (end < raw.length() && (Character.isDigit(raw.charAt(end)) || raw.charAt(end) == '.')) {
            end++;
        }
        Double unit = end == raw.length() ? Double.valueOf(1.0)
                : RATE_UNITS.get(raw.substring(end).toLowerCase(Locale.ROOT));
        double number;
        try {
            number = Double.parseDouble(raw.substring(0, end));
        } catch (NumberFormatException e) {
            unit = null;
            number = 0;
        }
        if (unit == null) {
            throw new InvalidValueException("could not parse rate `" + raw + "'");
        }
        double bytes = number * unit / 8;
        if (bytes > CNumbers.UINT32_MAX) {
            throw new InvalidValueException("rate `" + raw + "' is above what the kernel keeps (4294967295 bytes/s)");
        }
        return Long.toString((long) bytes);
    });

    private static final ValueType PACKET_RATE = Values.decimal(0, CNumbers.UINT32_MAX);

    /** The estimator's name as the kernel keeps it: 15 bytes. */
    private static final ValueType ESTIMATOR = Values.of("name", "name", Values.truncatedText(15)::canonical);

    private static final List<String> MODES = List.of("rateest-eq", "rateest-lt", "rateest-gt");

    private static ExtensionSpec rateest() {
        return ExtensionSpec.match("rateest", "compare the rate a RATEEST target estimates with a rate or with"
                                + " another estimator (they must exist)",
                        OptionSpec.flag("rateest-delta", "compare the differences between the rates and the given"
                                + " rates"),
                        OptionSpec.of("rateest1", "the estimator (--rateest without --rateest2)", ESTIMATOR)
                                .alias("rateest"),
                        OptionSpec.of("rateest-bps1", "compare bytes per second (the rate in delta mode)",
                                Values.optional(RATE)),
                        OptionSpec.of("rateest-pps1", "compare packets per second (the rate in delta mode)",
                                Values.optional(PACKET_RATE)),
                        OptionSpec.of("rateest-bps2", "compare bytes per second (the rate to compare with)",
                                Values.optional(RATE)).alias("rateest-bps"),
                        OptionSpec.of("rateest-pps2", "compare packets per second (the rate to compare with)",
                                Values.optional(PACKET_RATE)).alias("rateest-pps"),
                        OptionSpec.flag("rateest-eq", "the rate equals the other").invertible(),
                        OptionSpec.flag("rateest-lt", "the rate is less than the other").invertible(),
                        OptionSpec.flag("rateest-gt", "the rate is greater than the other").invertible(),
                        OptionSpec.of("rateest2", "the second estimator, to compare the first with", ESTIMATOR))
                .canonicalizedBy(Canonicalizer.inGivenOrder(AccountingMatches::rateestCanonical))
                .means(MatchSemantics.HISTORY);
    }

    /**
     * What iptables-save prints for what the kernel keeps: one comparison (the last given; any
     * {@code !} inverts it), the bps and pps checks each with it, rates only where the kernel uses
     * them, {@code --rateest} for one estimator and {@code --rateest1 ... --rateest2} for two.
     */
    private static List<Option> rateestCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        String mode = null;
        boolean inverted = false;
        for (Option option : options) {
            if (MODES.contains(option.name())) {
                mode = option.name();
                inverted |= option.negated();
            }
        }
        Option first = Checks.find(options, "rateest1").orElseThrow(() -> new InvalidValueException(
                "match rateest needs --rateest NAME"));
        if (mode == null) {
            throw new InvalidValueException("match rateest needs --rateest-lt, --rateest-gt or --rateest-eq");
        }
        Checks.atLeastOne(options, "match rateest", "rateest-bps1", "rateest-bps2", "rateest-pps1", "rateest-pps2");
        boolean delta = Checks.has(options, "rateest-delta");
        Option second = Checks.find(options, "rateest2").orElse(null);
        List<Option> out = new ArrayList<>();
        if (delta) {
            out.add(Option.of("rateest-delta"));
        }
        out.add(Option.of(second != null ? "rateest1" : "rateest", first.arg()));
        for (String kind : List.of("bps", "pps")) {
            if (!Checks.has(options, "rateest-" + kind + "1") && !Checks.has(options, "rateest-" + kind + "2")) {
                continue;
            }
            Option comparison = Option.negated(mode, inverted);
            String given = rate(options, "rateest-" + kind + "2", kind);
            if (delta) {
                out.add(Option.of("rateest-" + kind + "1", rate(options, "rateest-" + kind + "1", kind)));
                out.add(comparison);
                out.add(Option.of("rateest-" + kind + "2", given));
            } else {
                out.add(comparison);
                out.add(second != null ? Option.of("rateest-" + kind) : Option.of("rateest-" + kind, given));
            }
        }
        if (second != null) {
            out.add(second);
        }
        return out;
    }

    /** A rate as iptables-save prints it: bits per second (Kbit, Mbit above a million, a billion), packets as a number. */
    private static String rate(List<Option> options, String name, String kind) {
        long value = Checks.find(options, name).filter(o -> !o.args().isEmpty()).map(o -> Long.parseLong(o.arg()))
                .orElse(0L);
        if (kind.equals("pps")) {
            return Long.toString(value);
        }
        double bits = value * 8.0;
        if (bits >= 1e9) {
            return whole(bits / 1e6) + "Mbit";
        }
        return bits >= 1e6 ? whole(bits / 1e3) + "Kbit" : whole(bits) + "bit";
    }

    /** printf's {@code %.0f}: the exact value, rounded half to even. */
    private static String whole(double value) {
        return new BigDecimal(value).setScale(0, RoundingMode.HALF_EVEN).toPlainString();
    }
}
