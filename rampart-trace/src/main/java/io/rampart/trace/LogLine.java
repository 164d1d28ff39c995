package io.rampart.trace;

import io.rampart.model.Family;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A line the kernel's LOG target wrote: the rule's {@code --log-prefix}, then {@code IN= OUT= MAC=
 * SRC= DST= LEN= TOS= ... PROTO= SPT= DPT= ...} and the TCP flag words, with or without what
 * syslog, journald or dmesg put before it.
 *
 * @param prefix the log prefix exactly as the kernel wrote it (empty when the rule had none)
 * @param fields the {@code KEY=VALUE} fields of the packet, in order; those of an ICMP error's
 *     quoted packet ({@code [SRC=... ]}) are left out
 * @param words the words without {@code =}: TCP flags (SYN, ACK, ...) and IP flags (DF, MF, CE)
 */
public record LogLine(String prefix, Map<String, String> fields, Set<String> words, Family family) {

    private static final Pattern START = Pattern.compile("IN=(\\S*) OUT=(\\S*)");
    /** What syslog or journald write before the kernel's text: up to {@code kernel: }. */
    private static final Pattern SYSLOG = Pattern.compile("^.*?\\bkernel: ");
    /** A dmesg timestamp, {@code [12345.678901]} or, with -T, {@code [Tue Nov 24 03:32:16 2026]}. */
    private static final Pattern STAMP = Pattern.compile(
            "^\\[\\s*(?:\\d+\\.\\d+|\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4})\\] ?");
    private static final List<String> TCP_FLAGS = List.of("FIN", "SYN", "RST", "PSH", "ACK", "URG");

    public LogLine {
        fields = Map.copyOf(fields);
        words = Set.copyOf(words);
    }

    public static LogLine parse(String line) throws TraceInputException {
        String text = line.strip();
        Matcher start = START.matcher(text);
        if (!start.find()) {
            throw new TraceInputException("not a LOG line: it has no `IN=... OUT=...' (the kernel writes "
                    + "`PREFIX IN=eth0 OUT= SRC=... DST=... PROTO=...')");
        }
        String head = text.substring(0, start.start());
        Matcher syslog = SYSLOG.matcher(head);
        if (syslog.find()) {
            head = head.substring(syslog.end());
        }
        head = STAMP.matcher(head).replaceFirst("");
        Map<String, String> fields = new LinkedHashMap<>();
        Set<String> words = new LinkedHashSet<>();
        for (String token : text.substring(start.start()).split("\\s+")) {
            if (token.startsWith("[")) {
                break; // the packet an ICMP error quotes
            }
            int eq = token.indexOf('=');
            if (eq > 0) {
                fields.putIfAbsent(token.substring(0, eq), token.substring(eq + 1));
            } else if (!token.isEmpty()) {
                words.add(token);
            }
        }
        for (String needed : List.of("SRC", "DST", "PROTO")) {
            if (!fields.containsKey(needed)) {
                throw new TraceInputException("the LOG line has no " + needed + "=");
            }
        }
        Family family = fields.get("SRC").contains(":") ? Family.IPV6 : Family.IPV4;
        return new LogLine(head, fields, words, family);
    }

    public String in() {
        return emptyToNull(fields.get("IN"));
    }

    public String out() {
        return emptyToNull(fields.get("OUT"));
    }

    /** The packet the line describes, as the LOG rule saw it. */
    public PacketSpec packet() {
        PacketSpec spec = new PacketSpec().set("in", in()).set("out", out())
                .set("local", in() == null ? "true" : null)
                .set("src", fields.get("SRC")).set("dst", fields.get("DST"))
                .set("proto", protocol(fields.get("PROTO"))).set("length", fields.get("LEN"))
                .set("ttl", fields.getOrDefault("TTL", fields.get("HOPLIMIT")))
                .set("tos", fields.getOrDefault("TOS", fields.get("TC"))).set("mark", fields.get("MARK"))
                .set("sport", fields.get("SPT")).set("dport", fields.get("DPT"));
        if (fields.get("PROTO").equals("TCP")) {
            List<String> flags = TCP_FLAGS.stream().filter(words::contains).toList();
            spec.set("tcp_flags", flags.isEmpty() ? "NONE" : String.join(",", flags));
        }
        if (fields.containsKey("TYPE")) {
            spec.set("icmp_type", fields.get("TYPE") + "/" + fields.getOrDefault("CODE", "0"));
        }
        return spec;
    }

    private static String protocol(String logged) {
        return switch (logged) {
            case "ICMPv6" -> "ipv6-icmp";
            default -> logged.toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
