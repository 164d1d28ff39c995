package io.rampart.syntax;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What iptables-restore said when it refused a script, read once: the line it names and the reason.
 * The backends name the line in three ways: {@code iptables-restore: line N failed} (legacy, and
 * nf_tables for a command it refuses at once, with the reason after a colon), {@code line N: OP failed
 * (...)} (nf_tables, when the kernel refuses the batch: a chain that cannot be removed), and
 * {@code Error occurred at line: N} (both, for a line they cannot read; nf_tables also for a jump to a
 * missing chain, naming the table's COMMIT line).
 */
public record RestoreRefusal(OptionalInt line, String reason) {

    private static final Pattern LINE =
            Pattern.compile("line (\\d+) failed|line (\\d+): \\S+ failed|Error occurred at line: (\\d+)");

    /** Reads iptables-restore's message. */
    public static RestoreRefusal of(String message) {
        Matcher matcher = LINE.matcher(message);
        OptionalInt line = OptionalInt.empty();
        if (matcher.find()) {
            String number = matcher.group(1) != null ? matcher.group(1)
                    : matcher.group(2) != null ? matcher.group(2) : matcher.group(3);
            line = OptionalInt.of(Integer.parseInt(number));
        }
        return new RestoreRefusal(line, reason(message));
    }

    /**
     * The first line of the message that says something: nf_tables may lead with its name and
     * version alone ({@code iptables-nft-restore v1.8.9 (nf_tables): }) and give the reason below.
     */
    private static String reason(String message) {
        String first = null;
        for (String line : message.strip().lines().map(String::strip).toList()) {
            if (first == null) {
                first = line;
            }
            if (!line.isEmpty() && !line.endsWith(":")) {
                return line;
            }
        }
        return first == null || first.isEmpty() ? "refused" : first;
    }

    /** The command of {@code script} on the line the kernel named, when it names one of its commands. */
    public Optional<RestoreScript.Command> command(RestoreScript script) {
        if (line.isEmpty()) {
            return Optional.empty();
        }
        return script.line(line.getAsInt()) instanceof RestoreScript.Command command
                ? Optional.of(command) : Optional.empty();
    }

    /**
     * In words, for {@code script}: {@code the kernel refused `COMMAND': REASON (nothing was changed)},
     * the command being the line the kernel named.
     */
    public String explain(RestoreScript script) {
        if (line.isEmpty()) {
            return "the kernel refused the change: " + reason + " (nothing was changed)";
        }
        RestoreScript.Line named = script.line(line.getAsInt());
        return "the kernel refused `" + (named == null ? "" : named.text()) + "': " + reason + " (nothing was changed)";
    }
}
