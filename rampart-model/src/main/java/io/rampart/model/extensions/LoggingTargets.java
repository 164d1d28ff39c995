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
import io.rampart.model.value.Range;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Targets that report packets: kernel log, nfnetlink log and queue, audit, and trace. */
final class LoggingTargets {

    private static final int LOG_PREFIX_BYTES = 29;
    /** The nf_tables log expression keeps 127 bytes of an NFLOG prefix. */
    private static final int NFLOG_PREFIX_BYTES = 127;
    private static final String DEFAULT_LOG_LEVEL = "4";
    private static final int MAX_QUEUE = 65535;

    /** syslog level names iptables accepts; "error" and "panic" are its old spellings. */
    private static final Map<String, Integer> LOG_LEVELS = Map.of("emerg", 0, "panic", 0, "alert", 1, "crit", 2,
            "error", 3, "warning", 4, "notice", 5, "info", 6, "debug", 7);

    private LoggingTargets() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(log(), nflog(), nfqueue(), audit(),
                ExtensionSpec.target("TRACE", "log every rule the packet meets (nftables trace events)")
                        .does(new TargetSemantics.Continues("the kernel's trace of the packet")));
    }

    // ---- LOG ----

    private static final ValueType LOG_LEVEL = Values.of("log-level", "0..7|emerg|alert|crit|error|warning|notice"
            + "|info|debug", (raw, ctx) -> {
                Integer named = LOG_LEVELS.get(raw);
                if (named != null) {
                    return named.toString();
                }
                try {
                    return Long.toString(CNumbers.xtables(raw, 0, 7));
                } catch (InvalidValueException e) {
                    throw new InvalidValueException("log level `" + raw + "' is neither 0-7 nor a level name"
                            , io.rampart.model.extension.Suggestions.hint(raw, LOG_LEVELS.keySet()));
                }
            });

    private static final ValueType LOG_PREFIX = prefix(LOG_PREFIX_BYTES);

    /** A log prefix, which iptables cuts to what the kernel's buffer holds without a word. */
    private static ValueType prefix(int maxBytes) {
        return Values.quoted("log-prefix", "text (up to " + maxBytes + " bytes)", Quoting.WHEN_NEEDED, (raw, ctx) -> {
            if (raw.isEmpty()) {
                throw new InvalidValueException("an empty prefix: leave the option out instead");
            }
            if (raw.indexOf('\n') >= 0) {
                throw new InvalidValueException("a prefix cannot contain a newline");
            }
            byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
            if (bytes.length <= maxBytes) {
                return raw;
            }
            return new String(bytes, 0, maxBytes, StandardCharsets.UTF_8);
        });
    }

    private static ExtensionSpec log() {
        return ExtensionSpec.target("LOG", "write a line about the packet to the kernel log",
                        OptionSpec.of("log-prefix", "text at the start of the line (cut to 29 bytes)", LOG_PREFIX),
                        OptionSpec.of("log-level", "syslog level by number or name (default 4, warning)",
                                LOG_LEVEL),
                        OptionSpec.flag("log-tcp-sequence", "include TCP sequence numbers"),
                        OptionSpec.flag("log-tcp-options", "include TCP header options"),
                        OptionSpec.flag("log-ip-options", "include IP header options"),
                        OptionSpec.flag("log-uid", "include the owning socket's user id"),
                        OptionSpec.flag("log-macdecode", "decode the MAC header"))
                .does(options -> new TargetSemantics.Log(prefix(options, "log-prefix")))
                .canonicalizedBy((options, context) -> options.stream()
                        .filter(o -> !(o.name().equals("log-level") && o.arg().equals(DEFAULT_LOG_LEVEL)))
                        .toList());
    }

    // ---- NFLOG ----

    private static ExtensionSpec nflog() {
        return ExtensionSpec.target("NFLOG", "pass the packet to user space over nfnetlink_log",
                        OptionSpec.of("nflog-prefix", "text sent along with the packet (cut to 127 bytes)",
                                prefix(NFLOG_PREFIX_BYTES)),
                        OptionSpec.of("nflog-group", "netlink group to send to (default 0)",
                                Values.decimal(0, 65535)),
                        OptionSpec.of("nflog-range", "obsolete and without effect: use --nflog-size",
                                Values.decimal(0, 4294967295L)),
                        OptionSpec.of("nflog-size", "bytes of the packet to copy (default: all)",
                                Values.decimal(0, 4294967295L)),
                        OptionSpec.of("nflog-threshold", "packets to queue in the kernel before sending",
                                Values.decimal(0, 65535)))
                .does(options -> new TargetSemantics.Log(prefix(options, "nflog-prefix")))
                .canonicalizedBy(LoggingTargets::nflogCanonical);
    }

    private static String prefix(List<Option> options, String name) {
        return Checks.find(options, name).map(Option::arg).orElse("");
    }

    private static List<Option> nflogCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        List<String> names = options.stream().map(Option::name).toList();
        if (names.contains("nflog-range") && names.contains("nflog-size")) {
            throw new InvalidValueException("--nflog-range cannot be combined with --nflog-size (use --nflog-size"
                    + " alone)");
        }
        List<Option> out = new ArrayList<>();
        for (Option option : options) {
            boolean zeroDefault = (option.name().equals("nflog-group") || option.name().equals("nflog-threshold"))
                    && option.arg().equals("0");
            // --nflog-range never reached the kernel; iptables drops it.
            if (!zeroDefault && !option.name().equals("nflog-range")) {
                out.add(option);
            }
        }
        return out;
    }

    // ---- NFQUEUE ----

    /** {@code first:last}, either end optional, the first strictly below the last. */
    private static final ValueType QUEUE_RANGE = Values.typed("queue-range", "first:last", (raw, ctx) -> {
        String[] parts = raw.split(":", -1);
        if (parts.length != 2) {
            throw new InvalidValueException("`" + raw + "' is not a range first:last");
        }
        long first = parts[0].isEmpty() ? 0 : CNumbers.xtables(parts[0], 0, MAX_QUEUE);
        long last = parts[1].isEmpty() ? MAX_QUEUE : CNumbers.xtables(parts[1], 0, MAX_QUEUE);
        if (first >= last) {
            throw new InvalidValueException("the first queue " + first + " must be below the last " + last);
        }
        if (first == 0 && last == MAX_QUEUE) {
            throw new InvalidValueException("0:65535 is one queue too many for the kernel (at most 65535 queues)");
        }
        return first + ":" + last;
    }, Range::parse);

    private static ExtensionSpec nfqueue() {
        return ExtensionSpec.target("NFQUEUE", "hand the packet to a user-space program on an nfnetlink queue",
                        OptionSpec.of("queue-num", "queue number (default 0)", Values.decimal(0, MAX_QUEUE)),
                        OptionSpec.of("queue-balance", "spread flows over the queues first:last", QUEUE_RANGE),
                        OptionSpec.flag("queue-bypass", "accept the packet when no program listens on the queue"),
                        OptionSpec.flag("queue-cpu-fanout", "with --queue-balance: choose the queue by CPU"))
                .does(options -> new TargetSemantics.Queue(Checks.find(options, "queue-balance").isPresent()
                        ? Checks.value(options, "queue-balance", Range.class)
                        : Range.of(Checks.number(options, "queue-num", 0)), Checks.has(options, "queue-bypass")))
                .canonicalizedBy(LoggingTargets::nfqueueCanonical);
    }

    private static List<Option> nfqueueCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        List<String> names = options.stream().map(Option::name).toList();
        boolean balance = names.contains("queue-balance");
        if (balance && names.contains("queue-num")) {
            throw new InvalidValueException("--queue-num and --queue-balance cannot be combined");
        }
        if (names.contains("queue-cpu-fanout") && !balance) {
            throw new InvalidValueException("--queue-cpu-fanout needs --queue-balance");
        }
        if (balance || names.contains("queue-num")) {
            return options;
        }
        List<Option> out = new ArrayList<>();
        out.add(Option.of("queue-num", "0"));
        out.addAll(options);
        return out;
    }

    // ---- AUDIT ----

    private static ExtensionSpec audit() {
        ValueType type = Values.of("audit-type", "accept|drop|reject", (raw, ctx) -> {
            String word = raw.toLowerCase(Locale.ROOT);
            if (!List.of("accept", "drop", "reject").contains(word)) {
                throw new InvalidValueException("`" + raw + "' is not one of accept, drop, reject");
            }
            return word;
        });
        return ExtensionSpec.target("AUDIT", "record the packet in the audit log",
                OptionSpec.of("type", "what the record says happened: accept, drop or reject", type).required())
                .does(new TargetSemantics.Continues("the audit log"));
    }
}
