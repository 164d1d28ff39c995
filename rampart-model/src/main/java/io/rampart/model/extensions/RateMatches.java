package io.rampart.model.extensions;

import io.rampart.model.Option;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/** The limit and connlimit matches, and the rate and prefix arithmetic they share with hashlimit. */
final class RateMatches {

    private RateMatches() {
    }

    /** Unit names iptables-save prints, longest period first, with their length in seconds. */
    private static final String[] UNIT_NAMES = {"day", "hour", "min", "sec"};
    private static final long[] UNIT_SECONDS = {86400, 3600, 60, 1};

    /** A rate as given ({@code N[/second|/minute|/hour|/day]}, units abbreviable); checked by the extension. */
    static final ValueType RATE_TEXT = Values.of("rate", "number[/second|/minute|/hour|/day]", (raw, ctx) -> raw);

    static List<ExtensionSpec> specs() {
        return List.of(limit(), connlimit());
    }

    /** Seconds per unit of a rate's {@code /unit} suffix (any case, any prefix of the word), or -1. */
    static long unitSeconds(String rate) {
        int slash = rate.indexOf('/');
        if (slash < 0) {
            return 1;
        }
        String unit = rate.substring(slash + 1).toLowerCase(Locale.ROOT);
        if (unit.isEmpty()) {
            return -1;
        }
        String[] words = {"second", "minute", "hour", "day"};
        long[] seconds = {1, 60, 3600, 86400};
        for (int i = 0; i < words.length; i++) {
            if (words[i].startsWith(unit)) {
                return seconds[i];
            }
        }
        return -1;
    }

    /**
     * The period between packets a rate stands for, in {@code scale} parts of a second, computed in
     * the unsigned width iptables uses; -1 when iptables calls the rate bad, 0 when too fast.
     */
    static long period(String rate, long scale, long count, boolean wide) {
        long unit = unitSeconds(rate);
        if (unit < 0 || count == 0) {
            return -1;
        }
        long divisor = wide ? count : count & CNumbers.UINT32_MAX;
        return Long.divideUnsigned(scale * unit, divisor);
    }

    /** The unit iptables-save picks for a stored period: the longest that keeps the count exact enough. */
    static int unitIndex(long period, long scale) {
        int i = 1;
        for (; i < UNIT_SECONDS.length; i++) {
            long mult = scale * UNIT_SECONDS[i];
            if (Long.compareUnsigned(period, mult) > 0
                    || Long.compareUnsigned(Long.divideUnsigned(mult, period), Long.remainderUnsigned(mult, period)) < 0) {
                break;
            }
        }
        return i - 1;
    }

    /** A stored period printed back as iptables-save does, e.g. {@code 3/hour}. */
    static String formatRate(long period, long scale) {
        int unit = unitIndex(period, scale);
        return Long.divideUnsigned(scale * UNIT_SECONDS[unit], period) + "/" + UNIT_NAMES[unit];
    }

    /** The milliseconds of the unit iptables-save prints a period in (hashlimit's expiry default test). */
    static long unitMillis(long period, long scale) {
        return UNIT_SECONDS[unitIndex(period, scale)] * 1000;
    }

    /** What {@link #PREFIX} yields for a mask with holes, which no prefix length describes. */
    static final String NON_CONTIGUOUS = "non-contiguous";

    /** A prefix length, or a mask in address form, as xtables' prefix parser reads it. */
    static final ValueType PREFIX = Values.of("prefix", "length|mask", (raw, ctx) -> {
        int bits = ctx.family().addressBits();
        OptionalLong number = CNumbers.xtablesWhole(raw, 0, bits);
        if (number.isPresent()) {
            return Long.toString(number.getAsLong());
        }
        byte[] mask = Addresses.parseLiteral(raw, ctx.family());
        if (mask == null && !ctx.ipv6() && !raw.isEmpty() && raw.chars().allMatch(Character::isDigit)
                && raw.length() <= 10 && Long.parseLong(raw) <= CNumbers.UINT32_MAX) {
            // inet_aton reads a lone number as a whole address.
            mask = Addresses.ipv4OfNumber(Long.parseLong(raw));
        }
        if (mask == null) {
            throw new InvalidValueException("`" + raw + "' is neither a prefix length (0-" + bits
                    + ") nor a network mask");
        }
        int prefix = Addresses.prefixLength(mask);
        return prefix >= 0 ? Integer.toString(prefix) : NON_CONTIGUOUS;
    });

    private static ExtensionSpec limit() {
        return ExtensionSpec.match("limit", "match at most a given average rate, with bursts",
                        OptionSpec.of("limit", "average rate: number per second, or with /minute, /hour, /day"
                                + " (default 3/hour)", RATE_TEXT),
                        OptionSpec.of("limit-burst", "packets that may pass at once before the rate applies"
                                + " (default 5)", Values.decimal(0, 10000)))
                .canonicalizedBy(RateMatches::limitCanonical)
                .means(MatchSemantics.HISTORY);
    }

    private static final long LIMIT_SCALE = 10000;

    private static List<Option> limitCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        String rate = "3/hour";
        String burst = "5";
        for (Option option : options) {
            if (option.name().equals("limit")) {
                rate = option.arg();
            } else {
                burst = option.arg();
            }
        }
        long period = period(rate, LIMIT_SCALE, CNumbers.atoi(rate), false);
        if (period < 0) {
            throw new InvalidValueException("bad rate `" + rate + "' for --limit: write a number, optionally"
                    + " followed by /second, /minute, /hour or /day");
        }
        if (period == 0) {
            throw new InvalidValueException("rate `" + rate + "' for --limit is too fast: at most 10000/second");
        }
        List<Option> out = new ArrayList<>();
        out.add(Option.of("limit", formatRate(period, LIMIT_SCALE)));
        // 0 is stored as "no burst", which reads back as the default; neither is printed.
        if (!burst.equals("0") && !burst.equals("5")) {
            out.add(Option.of("limit-burst", burst));
        }
        return out;
    }

    private static ExtensionSpec connlimit() {
        ValueType count = Values.decimal(0, CNumbers.UINT32_MAX);
        return ExtensionSpec.match("connlimit", "match on the number of connections a host or network has open",
                        OptionSpec.of("connlimit-upto", "match while the count is at most this", count).invertible(),
                        OptionSpec.of("connlimit-above", "match while the count is above this", count).invertible(),
                        OptionSpec.of("connlimit-mask", "group addresses by this prefix length (default: whole"
                                + " address)", PREFIX),
                        OptionSpec.flag("connlimit-saddr", "count per source address (the default)"),
                        OptionSpec.flag("connlimit-daddr", "count per destination address"))
                .canonicalizedBy(RateMatches::connlimitCanonical)
                .means(MatchSemantics.HISTORY);
    }

    private static List<Option> connlimitCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        Option limit = null;
        String mask = Integer.toString(context.family().addressBits());
        String side = "connlimit-saddr";
        int sides = 0;
        for (Option option : options) {
            switch (option.name()) {
                case "connlimit-upto", "connlimit-above" -> {
                    if (limit != null) {
                        throw new InvalidValueException("--connlimit-upto and --connlimit-above cannot be combined");
                    }
                    limit = option;
                }
                case "connlimit-mask" -> mask = option.arg().equals(NON_CONTIGUOUS)
                        ? Integer.toString(context.family().addressBits()) : option.arg();
                default -> {
                    side = option.name();
                    sides++;
                }
            }
        }
        if (limit == null) {
            throw new InvalidValueException("match connlimit needs --connlimit-upto or --connlimit-above");
        }
        if (sides > 1) {
            throw new InvalidValueException("--connlimit-saddr and --connlimit-daddr cannot be combined");
        }
        boolean upto = limit.name().equals("connlimit-upto") != limit.negated();
        return List.of(Option.of(upto ? "connlimit-upto" : "connlimit-above", limit.arg()),
                Option.of("connlimit-mask", mask), Option.of(side));
    }
}
