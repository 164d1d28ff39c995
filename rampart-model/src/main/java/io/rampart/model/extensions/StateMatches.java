package io.rampart.model.extensions;

import io.rampart.model.Option;
import io.rampart.model.extension.Addresses;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Matches that keep state in the kernel or draw on chance: recent, quota and statistic. */
final class StateMatches {

    private StateMatches() {
    }

    private static final long UINT32_MAX = CNumbers.UINT32_MAX;
    private static final List<String> RECENT_COMMANDS = List.of("set", "rcheck", "update", "remove");
    /** The kernel keeps at most this many characters of a recent list's name. */
    private static final int RECENT_NAME_MAX = 199;
    private static final int RECENT_HITCOUNT_MAX = 65535;

    static List<ExtensionSpec> specs() {
        return List.of(recent(), quota(), statistic());
    }

    private static ExtensionSpec recent() {
        ValueType name = Values.quoted("name", "name", Quoting.NONE, (raw, ctx) -> {
            if (raw.isEmpty() || raw.contains("/")) {
                throw new InvalidValueException("a list name must not be empty or contain `/': `" + raw + "'");
            }
            return raw.length() > RECENT_NAME_MAX ? raw.substring(0, RECENT_NAME_MAX) : raw;
        });
        ValueType mask = Values.of("address", "address", (raw, ctx) -> {
            List<byte[]> addresses = Addresses.resolve(raw, ctx.family(), ctx.names());
            return Addresses.format(addresses.get(0));
        });
        return ExtensionSpec.match("recent", "remember addresses in a named list and match on how recently and how"
                                + " often they were seen",
                        OptionSpec.flag("set", "add the address to the list (always matches)").invertible(),
                        OptionSpec.flag("rcheck", "match if the address is in the list").invertible(),
                        OptionSpec.flag("update", "match if the address is in the list, and refresh its last-seen"
                                + " time").invertible(),
                        OptionSpec.flag("remove", "match if the address is in the list, and take it out")
                                .invertible(),
                        OptionSpec.of("seconds", "only if last seen within this many seconds",
                                Values.decimal(1, UINT32_MAX)),
                        OptionSpec.flag("reap", "drop entries older than --seconds from the list"),
                        OptionSpec.of("hitcount", "only if seen at least this many times",
                                Values.decimal(0, UINT32_MAX)),
                        OptionSpec.flag("rttl", "only if the TTL also equals the one the address was added with"),
                        OptionSpec.of("name", "the list to use (default DEFAULT)", name),
                        OptionSpec.of("mask", "netmask applied to addresses before they are stored or looked up",
                                mask),
                        OptionSpec.flag("rsource", "remember source addresses (the default)"),
                        OptionSpec.flag("rdest", "remember destination addresses"))
                .canonicalizedBy(Canonicalizer.inGivenOrder(StateMatches::recentCanonical))
                .means(MatchSemantics.HISTORY);
    }

    /** Given order: of --rsource and --rdest, the last one counts. */
    private static List<Option> recentCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        Map<String, Option> given = new HashMap<>();
        Option command = null;
        String side = "rsource";
        for (Option option : options) {
            given.put(option.name(), option);
            if (RECENT_COMMANDS.contains(option.name())) {
                if (command != null) {
                    throw new InvalidValueException("--" + command.name() + " and --" + option.name()
                            + " cannot be combined: give one of --set, --rcheck, --update, --remove");
                }
                command = option;
            } else if (option.name().equals("rsource") || option.name().equals("rdest")) {
                side = option.name();
            }
        }
        if (command == null) {
            throw new InvalidValueException("match recent needs one of --set, --rcheck, --update, --remove");
        }
        if (given.containsKey("reap") && !given.containsKey("seconds")) {
            throw new InvalidValueException("--reap needs --seconds");
        }
        boolean changesList = command.name().equals("set") || command.name().equals("remove");
        if (changesList) {
            for (String condition : List.of("seconds", "hitcount", "reap", "rttl")) {
                if (given.containsKey(condition)) {
                    throw new InvalidValueException("--" + condition + " only goes with --rcheck or --update, not"
                            + " --" + command.name());
                }
            }
        }
        if (given.containsKey("hitcount") && Long.parseLong(given.get("hitcount").arg()) > RECENT_HITCOUNT_MAX) {
            throw new InvalidValueException("--hitcount is at most " + RECENT_HITCOUNT_MAX);
        }
        List<Option> out = new ArrayList<>();
        out.add(command);
        for (String name : List.of("seconds", "reap", "hitcount", "rttl")) {
            Option option = given.get(name);
            if (option != null && !(name.equals("hitcount") && option.arg().equals("0"))) {
                out.add(option);
            }
        }
        out.add(given.getOrDefault("name", Option.of("name", "DEFAULT")));
        byte[] full = Addresses.maskOf(context.family().addressBits(), context.family().addressBits() / 8);
        out.add(given.getOrDefault("mask", Option.of("mask", Addresses.format(full))));
        out.add(Option.of(side));
        return out;
    }

    private static ExtensionSpec quota() {
        ValueType bytes = Values.decimal(0, -1L);
        return ExtensionSpec.match("quota", "match until a number of bytes has passed",
                OptionSpec.of("quota", "bytes to let match (shared by every packet of the rule)", bytes)
                        .invertible().required())
                .means(MatchSemantics.HISTORY);
    }

    /** The kernel keeps a probability as a fraction of 2^31. */
    private static final double PROBABILITY_SCALE = 0x80000000L;

    private static ExtensionSpec statistic() {
        ValueType probability = Values.of("probability", "0..1", (raw, ctx) -> {
            double value = strtod(raw);
            if (!(value <= 1) && !Double.isNaN(value) || value < 0) {
                throw new InvalidValueException("bad value `" + raw + "' for --probability: a number from 0 to 1");
            }
            long stored = Double.isNaN(value) ? 0 : Math.round(PROBABILITY_SCALE * value);
            return new BigDecimal(stored / PROBABILITY_SCALE).setScale(11, RoundingMode.HALF_EVEN).toPlainString();
        });
        return ExtensionSpec.match("statistic", "match a share of packets, at random or every n-th",
                        OptionSpec.of("mode", "random or nth", Words.choice("mode", "random", "nth")).required(),
                        OptionSpec.of("probability", "in random mode: the chance each packet matches, 0 to 1",
                                probability).invertible(),
                        OptionSpec.of("every", "in nth mode: match one packet of every n",
                                Values.decimal(1, UINT32_MAX)).invertible(),
                        OptionSpec.of("packet", "in nth mode: which of the n packets matches, from 0",
                                Values.decimal(0, UINT32_MAX)))
                .canonicalizedBy(StateMatches::statisticCanonical)
                .means(MatchSemantics.random("probability", "true for one packet in --every"));
    }

    /** strtod's forms: decimal with optional exponent, hexadecimal, inf and nan, after blanks and a sign. */
    private static double strtod(String raw) throws InvalidValueException {
        String text = raw.stripLeading();
        String body = text.startsWith("+") || text.startsWith("-") ? text.substring(1) : text;
        double sign = text.startsWith("-") ? -1 : 1;
        if (body.matches("(?i)inf(inity)?")) {
            return sign * Double.POSITIVE_INFINITY;
        }
        if (body.matches("(?i)nan")) {
            return Double.NaN;
        }
        if (body.matches("(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
            return sign * Double.parseDouble(body);
        }
        if (body.matches("0[xX]([0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)([pP][+-]?\\d+)?")) {
            return sign * Double.parseDouble(body.matches(".*[pP].*") ? body : body + "p0");
        }
        throw new InvalidValueException("bad value `" + raw + "' for --probability: a number from 0 to 1");
    }

    private static List<Option> statisticCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        Map<String, Option> given = new HashMap<>();
        boolean inverted = false;
        for (Option option : options) {
            given.put(option.name(), option);
            inverted |= option.negated();
        }
        boolean nth = given.containsKey("every") || given.containsKey("packet");
        if (given.containsKey("probability") && nth) {
            throw new InvalidValueException("--probability (random mode) cannot be combined with --every or"
                    + " --packet (nth mode)");
        }
        String mode = given.get("mode").arg();
        if (mode.equals("random")) {
            if (!given.containsKey("probability")) {
                throw new InvalidValueException("--mode random needs --probability");
            }
            return List.of(Option.of("mode", "random"),
                    Option.negated("probability", inverted, given.get("probability").arg()));
        }
        if (given.containsKey("every") != given.containsKey("packet") && nth) {
            throw new InvalidValueException("--every and --packet must be given together");
        }
        if (!nth) {
            throw new InvalidValueException("--mode nth needs --every and --packet");
        }
        long every = Long.parseLong(given.get("every").arg());
        long packet = Long.parseLong(given.get("packet").arg());
        if (packet > every - 1) {
            throw new InvalidValueException("--packet must be from 0 to --every minus 1 (" + (every - 1) + ")");
        }
        // iptables 1.8.9 prints --packet even when it is 0.
        return List.of(Option.of("mode", "nth"), Option.negated("every", inverted, Long.toString(every)),
                Option.of("packet", Long.toString(packet)));
    }
}
