package io.rampart.model.extensions;

import io.rampart.model.Option;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.Quoting;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Targets that tell the rest of the system about traffic without touching the packet: an idle
 * timer (IDLETIMER), an LED trigger (LED) and a rate estimator (RATEEST).
 */
final class SignalTargets {

    private SignalTargets() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(idletimer(), led(), rateest());
    }

    // ---- IDLETIMER ----

    /** The kernel's limit: the timeout in milliseconds must stay below INT_MAX. */
    private static final long MAX_IDLE_SECONDS = Integer.MAX_VALUE / 1000 - 1;

    private static final ValueType IDLE_LABEL = Values.of("label", "name (up to 27 characters)", (raw, ctx) -> {
        String label = Values.cut(raw, 27);
        // The label names a file in sysfs.
        if (label.isEmpty() || label.equals(".") || label.equals("..") || label.indexOf('/') >= 0) {
            throw new InvalidValueException("IDLETIMER label `" + raw + "' cannot name a file: give a non-empty"
                    + " name without `/'");
        }
        return label;
    });

    private static ExtensionSpec idletimer() {
        return ExtensionSpec.target("IDLETIMER", "restart a timer that tells user space (over sysfs) when no packet"
                                + " came for a while",
                        OptionSpec.of("timeout", "seconds without packets before the notification",
                                Values.decimal(1, MAX_IDLE_SECONDS)).required(),
                        OptionSpec.of("label", "the timer's name, shared by rules that give the same", IDLE_LABEL)
                                .required(),
                        OptionSpec.flag("alarm", "use an alarm timer, which wakes a suspended system"))
                .does(new TargetSemantics.Continues("a timer user space watches"));
    }

    // ---- LED ----

    /** The kernel's trigger name is "netfilter-" and the id in 27 bytes. */
    private static final int LED_ID_CHARS = 16;

    /**
     * The trigger id, printed always in double quotes with {@code "} and {@code \} escaped: the
     * canonical value holds the escapes, so printing and reading it back agree.
     */
    private static final ValueType LED_ID = Values.quoted("led-id", "name (up to 16 characters)", Quoting.ALWAYS,
            (raw, ctx) -> {
                if (raw.length() > LED_ID_CHARS) {
                    throw new InvalidValueException("LED trigger id `" + raw + "' is longer than " + LED_ID_CHARS
                            + " characters");
                }
                return raw.replace("\\", "\\\\").replace("\"", "\\\"");
            });

    /** Milliseconds, or {@code inf} (any word starting so) for "stay on". */
    private static final ValueType LED_DELAY = Values.of("delay", "milliseconds|inf", (raw, ctx) -> {
        if (raw.regionMatches(true, 0, "inf", 0, 3)) {
            return "inf";
        }
        long delay = CNumbers.xtables(raw, 0, CNumbers.UINT32_MAX);
        // Kept as a C int: all ones reads as inf, other values above INT_MAX as negative.
        return delay == CNumbers.UINT32_MAX ? "inf" : Long.toString(delay);
    });

    private static ExtensionSpec led() {
        return ExtensionSpec.target("LED", "blink the LED trigger netfilter-ID for each packet",
                        OptionSpec.of("led-trigger-id", "the trigger's name after netfilter-", LED_ID).required(),
                        OptionSpec.of("led-delay", "keep the LED on this many milliseconds (default 0), or inf",
                                LED_DELAY),
                        OptionSpec.flag("led-always-blink", "blink even when the LED is already on"))
                .does(new TargetSemantics.Continues("an LED"))
                .canonicalizedBy((options, context) -> options.stream().filter(SignalTargets::ledOptionPrinted)
                        .toList());
    }

    /** iptables-save leaves out a delay of 0 and any it holds as a negative int. */
    private static boolean ledOptionPrinted(Option option) {
        if (!option.name().equals("led-delay") || option.arg().equals("inf")) {
            return true;
        }
        long delay = Long.parseLong(option.arg());
        return delay > 0 && delay <= Integer.MAX_VALUE;
    }

    // ---- RATEEST ----

    private static final long MICROS_PER_SECOND = 1_000_000;

    private static ExtensionSpec rateest() {
        ValueType time = Values.of("time", "number[s|ms|us] (no unit: microseconds)",
                (raw, ctx) -> Long.toString(micros(raw)));
        return ExtensionSpec.target("RATEEST", "feed the packet into a named rate estimator (read by -m rateest)",
                        OptionSpec.of("rateest-name", "the estimator's name (cut to 15 characters)",
                                Values.cutText("name", 15)).required(),
                        OptionSpec.of("rateest-interval", "how often the rate is measured: 250ms to 8s, rounded up"
                                + " to 250ms times a power of two", time).required(),
                        OptionSpec.of("rateest-ewmalog", "the averaging time constant, rounded to the interval"
                                + " times a power of two", time).required())
                .does(new TargetSemantics.Continues("a rate estimator, which the tracer does not read"))
                .canonicalizedBy(SignalTargets::rateestCanonical);
    }

    /**
     * A time as iproute's parser in iptables reads it: strtod, then an optional unit, stored in an
     * unsigned int of microseconds (C's conversion from double).
     */
    private static long micros(String raw) throws InvalidValueException {
        CNumbers.ReadDouble read = CNumbers.strtod(raw);
        if (read == null) {
            throw new InvalidValueException("bad time `" + raw + "': write a number with s, ms or us");
        }
        String unit = raw.substring(read.end()).toLowerCase(Locale.ROOT);
        double value = read.value();
        switch (unit) {
            case "" -> { }
            case "s", "sec", "secs" -> value *= MICROS_PER_SECOND;
            case "ms", "msec", "msecs" -> value *= MICROS_PER_SECOND / 1000;
            case "us", "usec", "usecs" -> { }
            default -> throw new InvalidValueException("bad time `" + raw + "': the unit is s, ms or us");
        }
        return CNumbers.toUnsignedInt(value);
    }

    /**
     * The kernel keeps the interval as a power of two of 250ms and the time constant as a power of
     * two of the interval; iptables chooses them from the times given and prints what it chose.
     */
    private static List<Option> rateestCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        long interval = Long.parseLong(Checks.find(options, "rateest-interval").orElseThrow().arg());
        long ewma = Long.parseLong(Checks.find(options, "rateest-ewmalog").orElseThrow().arg());
        int step = 0;
        while (step <= 5 && interval > (1L << step) * (MICROS_PER_SECOND / 4)) {
            step++;
        }
        if (step > 5) {
            throw new InvalidValueException("RATEEST: the interval " + printTime(interval) + " is above 8s");
        }
        int log = 1;
        // An int shift as in C: at 31 it turns negative, and no constant is found.
        while (log < 32 && !(interval / -Math.log(1.0 - 1.0 / (1 << log)) > ewma)) {
            log++;
        }
        log--;
        if (log == 0 || log >= 31) {
            throw new InvalidValueException("RATEEST: the time constant " + printTime(ewma) + " is out of range"
                    + " for the interval " + printTime(interval) + ": make it between twice and 2^30 times as long");
        }
        // The time constant is printed as the chosen interval times 2^log in 32 bits, as iptables computes it.
        long chosen = (MICROS_PER_SECOND / 4) << step;
        long constant = (chosen * (1L << log)) & CNumbers.UINT32_MAX;
        List<Option> out = new ArrayList<>();
        out.add(Checks.find(options, "rateest-name").orElseThrow());
        out.add(Option.of("rateest-interval", printTime(chosen)));
        out.add(Option.of("rateest-ewmalog", printTime(constant)));
        return out;
    }

    /** A time in microseconds as iptables prints it: {@code %.1fs}, {@code %.1fms} or {@code %uus}. */
    private static String printTime(long micros) {
        if (micros >= MICROS_PER_SECOND) {
            return oneDecimal(micros / (double) MICROS_PER_SECOND) + "s";
        }
        if (micros >= MICROS_PER_SECOND / 1000) {
            return oneDecimal(micros / (double) (MICROS_PER_SECOND / 1000)) + "ms";
        }
        return micros + "us";
    }

    /** printf's {@code %.1f}: the double's exact value rounded half to even. */
    private static String oneDecimal(double value) {
        return new BigDecimal(value).setScale(1, RoundingMode.HALF_EVEN).toPlainString();
    }
}
