package io.rampart.model.extensions;

import io.rampart.model.Option;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.Quoting;
import io.rampart.model.extension.Suggestions;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.extension.Words;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hashlimit match as iptables 1.8.9 loads it (revision 3: 64-bit periods in millionths of a
 * second) and as the kernel checks it (HZ 250).
 */
final class HashlimitMatch {

    private HashlimitMatch() {
    }

    private static final long SCALE = 1_000_000L;
    private static final long UINT32_MAX = CNumbers.UINT32_MAX;
    private static final long BURST_MAX = 1_000_000L;
    private static final long GC_INTERVAL_DEFAULT = 1000;
    private static final long BYTE_EXPIRE = 15;
    private static final long BYTE_EXPIRE_BURST = 60;
    /** HZ times the kernel's credits per jiffy, divided by the scale: how the kernel checks overflow. */
    private static final long CREDITS_PER_PERIOD = 137_438_953L;
    private static final List<String> MODES = List.of("srcip", "srcport", "dstip", "dstport");

    /** The hashed fields: any of srcip, srcport, dstip, dstport separated by commas or bars. */
    static final ValueType MODE = Values.of("hash-mode", "srcip,srcport,dstip,dstport (any of them)", (raw, ctx) -> {
        boolean[] seen = new boolean[MODES.size()];
        for (String word : raw.split("[,|]")) {
            if (word.isEmpty()) {
                continue;
            }
            int index = MODES.indexOf(word);
            if (index < 0) {
                throw new InvalidValueException("`" + word + "' is not one of " + String.join(", ", MODES)
                        , Suggestions.hint(word, MODES));
            }
            seen[index] = true;
        }
        return String.join(",", Words.inOrder(seen, MODES));
    });

    private static final ValueType NAME = Values.quoted("name", "name", Quoting.NONE, (raw, ctx) -> {
        if (raw.isEmpty()) {
            throw new InvalidValueException("the table name must not be empty");
        }
        if (raw.contains("/")) {
            throw new InvalidValueException("the table name `" + raw + "' cannot contain `/' (it names a file)");
        }
        return raw;
    });

    private static final ValueType UINT32 = Values.decimal(0, UINT32_MAX);

    private static final ValueType TEXT = Values.of("amount", "number[k|m]", (raw, ctx) -> raw);

    static ExtensionSpec spec() {
        return ExtensionSpec.match("hashlimit", "limit the rate per group of hosts or ports, each group in its own"
                                + " bucket",
                        OptionSpec.of("hashlimit-upto", "match while the rate is at most this: packets per"
                                + " second|minute|hour|day, or bytes as Nb/s, Nkb/s, Nmb/s", RateMatches.RATE_TEXT)
                                .alias("hashlimit").invertible(),
                        OptionSpec.of("hashlimit-above", "match while the rate is above this (same units as"
                                + " --hashlimit-upto)", RateMatches.RATE_TEXT).invertible(),
                        OptionSpec.of("hashlimit-burst", "packets (or bytes, with k/m) that may pass at once"
                                + " (default 5 packets)", TEXT),
                        OptionSpec.of("hashlimit-mode", "the fields that make a group: srcip, srcport, dstip,"
                                + " dstport", MODE),
                        OptionSpec.of("hashlimit-name", "name of the hash table (/proc/net/ipt_hashlimit/NAME)",
                                NAME).required(),
                        OptionSpec.of("hashlimit-htable-size", "number of buckets of the hash table", UINT32),
                        OptionSpec.of("hashlimit-htable-max", "most entries the hash table holds", UINT32),
                        OptionSpec.of("hashlimit-htable-gcinterval", "milliseconds between clean-ups (default"
                                + " 1000)", UINT32),
                        OptionSpec.of("hashlimit-htable-expire", "milliseconds after which an idle entry goes",
                                UINT32),
                        OptionSpec.of("hashlimit-srcmask", "group source addresses by this prefix length",
                                RateMatches.PREFIX),
                        OptionSpec.of("hashlimit-dstmask", "group destination addresses by this prefix length",
                                RateMatches.PREFIX),
                        OptionSpec.flag("hashlimit-rate-match", "match on the measured rate without limiting the"
                                + " flow"),
                        OptionSpec.of("hashlimit-rate-interval", "seconds over which --hashlimit-rate-match"
                                + " measures", Values.of("seconds", "seconds", (raw, ctx) -> raw)))
                .canonicalizedBy(HashlimitMatch::canonical)
                .means(MatchSemantics.HISTORY);
    }

    /** What the rate option stores: the period (or byte cost), its unit, and whether it counts bytes. */
    private record Rate(long avg, long unitSeconds, boolean bytes) {
    }

    private static List<Option> canonical(List<Option> options, ValueContext context) throws InvalidValueException {
        Map<String, Option> given = new HashMap<>();
        for (Option option : options) {
            given.put(option.name(), option);
        }
        Option rateOption = given.containsKey("hashlimit-upto") ? given.get("hashlimit-upto")
                : given.get("hashlimit-above");
        if (rateOption == null) {
            throw new InvalidValueException("match hashlimit needs --hashlimit-upto or --hashlimit-above");
        }
        if (given.containsKey("hashlimit-upto") && given.containsKey("hashlimit-above")) {
            throw new InvalidValueException("--hashlimit-upto and --hashlimit-above cannot be combined");
        }
        boolean above = rateOption.name().equals("hashlimit-above") != rateOption.negated();
        Rate rate = parseRate(rateOption.name(), rateOption.arg());
        long avg = rate.avg();
        long burst = rate.bytes() ? 0 : 5;
        long expire = rate.bytes() ? BYTE_EXPIRE * 1000 : rate.unitSeconds() * 1000;
        if (given.containsKey("hashlimit-burst")) {
            long bytesOrPackets = parseBurst(given.get("hashlimit-burst").arg());
            if (rate.bytes()) {
                long cost = costToBytes(avg);
                if (cost == 0 || Long.compareUnsigned(bytesOrPackets, cost) < 0) {
                    throw new InvalidValueException("--hashlimit-burst cannot be smaller than " + cost + "b at this"
                            + " rate");
                }
                burst = Long.divideUnsigned(bytesOrPackets, cost)
                        + (Long.remainderUnsigned(bytesOrPackets, cost) != 0 ? 1 : 0);
                expire = BYTE_EXPIRE_BURST * 1000;
            } else if (Long.compareUnsigned(bytesOrPackets, BURST_MAX) > 0) {
                throw burstError(given.get("hashlimit-burst").arg());
            } else {
                burst = bytesOrPackets;
            }
        }
        if (given.containsKey("hashlimit-htable-expire")) {
            expire = Long.parseLong(given.get("hashlimit-htable-expire").arg());
        }
        boolean rateMatch = given.containsKey("hashlimit-rate-match");
        long interval = 0;
        if (given.containsKey("hashlimit-rate-interval")) {
            interval = CNumbers.atoi(given.get("hashlimit-rate-interval").arg());
            if (interval <= 0) {
                throw new InvalidValueException("bad value `" + given.get("hashlimit-rate-interval").arg()
                        + "' for --hashlimit-rate-interval: a number of seconds above 0 is expected");
            }
        }
        if (rateMatch) {
            if (!rate.bytes()) {
                avg = Long.divideUnsigned(avg, rate.unitSeconds());
            }
            if (interval == 0) {
                interval = rate.bytes() ? 1 : rate.unitSeconds();
            }
        }
        long gcInterval = given.containsKey("hashlimit-htable-gcinterval")
                ? Long.parseLong(given.get("hashlimit-htable-gcinterval").arg()) : GC_INTERVAL_DEFAULT;
        String fullMask = Integer.toString(context.family().addressBits());
        String srcMask = mask(given.get("hashlimit-srcmask"), fullMask);
        String dstMask = mask(given.get("hashlimit-dstmask"), fullMask);
        checkKernelLimits(rate, avg, burst, rateMatch, gcInterval, expire);

        List<Option> out = new ArrayList<>();
        long quantum;
        if (rate.bytes()) {
            long bytes = costToBytes(avg);
            out.add(Option.of(above ? "hashlimit-above" : "hashlimit-upto", formatByteRate(bytes, avg)));
            if (burst != 0) {
                out.add(Option.of("hashlimit-burst", formatBytes(bytes * burst) + "b"));
            }
            quantum = (burst == 0 ? BYTE_EXPIRE : BYTE_EXPIRE_BURST) * 1000;
        } else {
            out.add(Option.of(above ? "hashlimit-above" : "hashlimit-upto", RateMatches.formatRate(avg, SCALE)));
            out.add(Option.of("hashlimit-burst", Long.toUnsignedString(burst)));
            quantum = RateMatches.unitMillis(avg, SCALE);
        }
        Option mode = given.get("hashlimit-mode");
        if (mode != null && !mode.arg().isEmpty()) {
            out.add(mode);
        }
        out.add(given.get("hashlimit-name"));
        for (String name : List.of("hashlimit-htable-size", "hashlimit-htable-max")) {
            Option option = given.get(name);
            if (option != null && !option.arg().equals("0")) {
                out.add(option);
            }
        }
        if (gcInterval != GC_INTERVAL_DEFAULT) {
            out.add(Option.of("hashlimit-htable-gcinterval", Long.toString(gcInterval)));
        }
        if (expire != quantum) {
            out.add(Option.of("hashlimit-htable-expire", Long.toString(expire)));
        }
        if (!srcMask.equals(fullMask)) {
            out.add(Option.of("hashlimit-srcmask", srcMask));
        }
        if (!dstMask.equals(fullMask)) {
            out.add(Option.of("hashlimit-dstmask", dstMask));
        }
        if (rateMatch) {
            out.add(Option.of("hashlimit-rate-match"));
            if (interval != 1) {
                out.add(Option.of("hashlimit-rate-interval", Long.toString(interval)));
            }
        }
        return out;
    }

    private static Rate parseRate(String option, String text) throws InvalidValueException {
        int bytesSuffix = text.indexOf("b/s");
        if (bytesSuffix > 0) {
            long count = CNumbers.atoll(text);
            if (count != 0) {
                char unit = text.charAt(bytesSuffix - 1);
                long bytes = count * (unit == 'm' ? 1 << 20 : unit == 'k' ? 1 << 10 : 1);
                long cost = bytesToCost(bytes);
                if (cost == 0) {
                    throw new InvalidValueException("rate `" + text + "' for --" + option + " is too high");
                }
                return new Rate(cost, BYTE_EXPIRE, true);
            }
        }
        long period = RateMatches.period(text, SCALE, CNumbers.atoll(text), true);
        if (period < 0) {
            throw new InvalidValueException("bad rate `" + text + "' for --" + option + ": write packets as N[/second"
                    + "|/minute|/hour|/day] or bytes as Nb/s, Nkb/s, Nmb/s");
        }
        if (period == 0) {
            throw new InvalidValueException("rate `" + text + "' for --" + option + " is too fast: at most"
                    + " 1000000/second");
        }
        return new Rate(period, RateMatches.unitSeconds(text), false);
    }

    /** A burst: a number in any base, optionally followed by k or m (times 1024, 1024^2). */
    private static long parseBurst(String text) throws InvalidValueException {
        CNumbers.Read number = CNumbers.xtablesPrefix(text, 0, 1, -1L);
        if (number == null) {
            throw burstError(text);
        }
        if (number.end() == text.length()) {
            if (Long.compareUnsigned(number.value(), BURST_MAX) > 0) {
                throw burstError(text);
            }
            return number.value();
        }
        char unit = text.charAt(number.end());
        return number.value() * (unit == 'm' ? 1 << 20 : unit == 'k' ? 1 << 10 : 1);
    }

    private static InvalidValueException burstError(String text) {
        return new InvalidValueException("bad value `" + text + "' for --hashlimit-burst: 1 to " + BURST_MAX
                + " packets, or bytes with a k or m suffix in byte mode");
    }

    private static String mask(Option option, String fullMask) throws InvalidValueException {
        if (option == null) {
            return fullMask;
        }
        if (option.arg().equals(RateMatches.NON_CONTIGUOUS)) {
            throw new InvalidValueException("--" + option.name() + " needs a prefix length or a contiguous mask");
        }
        return option.arg();
    }

    /** The checks the kernel makes when the rule is loaded. */
    private static void checkKernelLimits(Rate rate, long avg, long burst, boolean rateMatch, long gcInterval,
                                          long expire) throws InvalidValueException {
        if (gcInterval == 0 || expire == 0) {
            throw new InvalidValueException("--hashlimit-htable-gcinterval and --hashlimit-htable-expire must be"
                    + " above 0");
        }
        if (rateMatch) {
            if (avg == 0 || Long.compareUnsigned(avg, UINT32_MAX) > 0) {
                throw new InvalidValueException("rate too slow for --hashlimit-rate-match");
            }
        } else if (rate.bytes()) {
            if (avg < 2) {
                throw new InvalidValueException("byte rate too high for the kernel");
            }
        } else if (Long.compareUnsigned(avg * burst * CREDITS_PER_PERIOD, avg * CREDITS_PER_PERIOD) < 0) {
            throw new InvalidValueException("rate times burst is too large for the kernel: lower"
                    + " --hashlimit-burst or use a shorter unit");
        }
    }

    private static long bytesToCost(long bytes) {
        return Long.divideUnsigned(UINT32_MAX, (bytes >>> 4) + 1);
    }

    private static long costToBytes(long cost) {
        long perCost = cost != 0 ? Long.divideUnsigned(UINT32_MAX, cost) : UINT32_MAX;
        return (perCost - 1) << 4;
    }

    /** A byte rate in the largest unit that reads back as the same stored cost. */
    private static String formatByteRate(long bytes, long cost) {
        for (long unit : new long[] {1 << 20, 1 << 10}) {
            // The C mask is 32 bits wide, so it also clears everything above bit 31.
            if (Long.compareUnsigned(bytes, unit) >= 0 && bytesToCost(bytes & ~(unit - 1) & UINT32_MAX) == cost) {
                return Long.divideUnsigned(bytes, unit) + suffix(unit) + "b/s";
            }
        }
        return Long.toUnsignedString(bytes) + "b/s";
    }

    /** A byte count in the largest unit it reaches, rounded down. */
    private static String formatBytes(long bytes) {
        for (long unit : new long[] {1 << 20, 1 << 10}) {
            if (Long.compareUnsigned(bytes, unit) >= 0) {
                return Long.divideUnsigned(bytes, unit) + suffix(unit);
            }
        }
        return Long.toUnsignedString(bytes);
    }

    private static String suffix(long unit) {
        return unit == 1 << 20 ? "m" : "k";
    }
}
