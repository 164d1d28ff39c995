package io.rampart.syntax;

import io.rampart.model.Family;
import io.rampart.model.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code .cases} file: rule lines with the kernel's answers, under sticky {@code @version},
 * {@code @family}, {@code @table} and {@code @chains} directives (see DEVELOPERS.md, "The kernel's
 * answers"). It keeps its text, so answers can be rewritten in place with comments and layout kept.
 */
public final class KernelCaseFile {

    private static final String ANSWER = "= ";
    private static final String REFUSED = "refused";

    private final String name;
    private final List<String> lines;
    private final List<KernelCase> cases;

    private KernelCaseFile(String name, List<String> lines, List<KernelCase> cases) {
        this.name = name;
        this.lines = lines;
        this.cases = cases;
    }

    public static KernelCaseFile read(Path file) {
        try {
            return parse(file.getFileName().toString(), Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses {@code text}; a line that is none of the format's items is an error naming it. */
    public static KernelCaseFile parse(String name, String text) {
        List<String> lines = text.lines().toList();
        List<KernelCase> cases = new ArrayList<>();
        String version = null;
        Family family = null;
        Table table = null;
        List<String> chains = List.of();
        String caseLine = null;
        int caseLineNo = 0;
        List<String> answer = new ArrayList<>();
        for (int i = 0; i <= lines.size(); i++) {
            String line = i < lines.size() ? lines.get(i) : null;
            boolean answerLine = line != null && line.startsWith(ANSWER);
            if (caseLine != null && !answerLine && (line == null || isItem(line))) {
                cases.add(new KernelCase(name, caseLineNo, version, family, table, chains, caseLine,
                        answerOf(answer, name + ":" + caseLineNo)));
                caseLine = null;
                answer.clear();
            }
            if (line == null || !isItem(line)) {
                continue;
            }
            String where = name + ":" + (i + 1);
            if (answerLine) {
                if (caseLine == null) {
                    throw new IllegalArgumentException(where + ": an answer without a case before it");
                }
                answer.add(line.substring(ANSWER.length()));
            } else if (isCase(line)) {
                if (family == null || table == null) {
                    throw new IllegalArgumentException(where + ": a case before @family and @table");
                }
                caseLine = line;
                caseLineNo = i + 1;
            } else if (line.startsWith("@version ")) {
                version = line.substring("@version ".length()).strip();
            } else if (line.startsWith("@family ")) {
                family = family(line.substring("@family ".length()).strip(), where);
            } else if (line.startsWith("@table ")) {
                String label = line.substring("@table ".length()).strip();
                table = Table.byLabel(label).orElseThrow(() -> new IllegalArgumentException(
                        where + ": unknown table " + label));
            } else if (line.equals("@chains") || line.startsWith("@chains ")) {
                String names = line.substring("@chains".length()).strip();
                chains = names.isEmpty() ? List.of() : Arrays.asList(names.split("\\s+"));
            } else {
                throw new IllegalArgumentException(where + ": not a case, an answer or a directive: " + line);
            }
        }
        return new KernelCaseFile(name, lines, List.copyOf(cases));
    }

    /** A rule line: {@code -A CHAIN ...}, or {@code --append} spelt in full or abbreviated. */
    private static boolean isCase(String line) {
        return line.startsWith("-A ") || line.startsWith("--a");
    }

    private static boolean isItem(String line) {
        return !line.isBlank() && !line.startsWith("#");
    }

    private static Family family(String word, String where) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "ipv4" -> Family.IPV4;
            case "ipv6" -> Family.IPV6;
            default -> throw new IllegalArgumentException(where + ": unknown family " + word + " (ipv4 or ipv6)");
        };
    }

    private static KernelAnswer answerOf(List<String> answer, String where) {
        if (answer.contains(REFUSED)) {
            if (answer.size() > 1) {
                throw new IllegalArgumentException(where + ": a case both refused and saved");
            }
            return KernelAnswer.REFUSED;
        }
        return answer.isEmpty() ? KernelAnswer.UNRECORDED : KernelAnswer.saved(answer);
    }

    /** The spelling of {@code family} in an {@code @family} directive. */
    public static String familyWord(Family family) {
        return family == Family.IPV4 ? "ipv4" : "ipv6";
    }

    public String name() {
        return name;
    }

    public List<KernelCase> cases() {
        return cases;
    }

    /**
     * The file's text with each case's answer replaced by {@code answers} (keyed by the case's line)
     * and every {@code @version} set to {@code version}; comments, directives and order stay.
     */
    public String withAnswers(Map<Integer, KernelAnswer> answers, String version) {
        StringBuilder text = new StringBuilder();
        boolean versioned = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith(ANSWER)) {
                continue;
            }
            if (line.startsWith("@version ")) {
                line = "@version " + version;
                versioned = true;
            }
            if (isCase(line) && !versioned) {
                text.append("@version ").append(version).append('\n');
                versioned = true;
            }
            text.append(line).append('\n');
            KernelAnswer answer = answers.get(i + 1);
            if (answer != null) {
                answer.fileLines().forEach(answerLine -> text.append(answerLine).append('\n'));
            }
        }
        return text.toString();
    }
}
