package io.rampart.syntax;

import java.util.List;

/**
 * What the kernel made of one rule line: the lines iptables-save printed for it, or a refusal by
 * iptables-restore. A case with neither has not been recorded yet.
 */
public record KernelAnswer(boolean refused, List<String> savedLines) {

    public static final KernelAnswer REFUSED = new KernelAnswer(true, List.of());
    public static final KernelAnswer UNRECORDED = new KernelAnswer(false, List.of());

    public KernelAnswer {
        savedLines = List.copyOf(savedLines);
    }

    public static KernelAnswer saved(List<String> lines) {
        return new KernelAnswer(false, lines);
    }

    public boolean recorded() {
        return refused || !savedLines.isEmpty();
    }

    /** The answer as the file writes it: one {@code = } line per saved line, or {@code = refused}. */
    public List<String> fileLines() {
        return refused ? List.of("= refused") : savedLines.stream().map(line -> "= " + line).toList();
    }

    @Override
    public String toString() {
        return refused ? "refused" : recorded() ? String.join("\n", savedLines) : "(not recorded)";
    }
}
