package io.rampart.system;

import io.rampart.model.Family;
import io.rampart.model.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Asks the kernel what it makes of rules: each rule is loaded on its own with iptables-restore
 * into an empty chain of a throwaway namespace, and what iptables-save prints for that chain is
 * the kernel's canonical form (or the rule was refused, with iptables' message).
 */
public final class KernelOracle {

    /** The kernel's answer for one rule line. */
    public record Answer(boolean accepted, List<String> savedLines, String error) {
    }

    /** The oracles of a test run, one per preparation; see {@link #shared(List)}. */
    private static final Map<List<String>, KernelOracle> SHARED = new HashMap<>();

    private final Netns netns;

    /**
     * The oracle all tests of a run share for a preparation (none: {@code List.of()}), made when
     * first asked for. Its namespace goes when the test JVM ends, by {@link Netns}' shutdown hook.
     * Without a kernel to ask, the asking test is skipped (failed in CI), as {@link KernelTestSupport} says.
     */
    public static synchronized KernelOracle shared(List<String> prepareCommands) {
        KernelOracle oracle = SHARED.get(prepareCommands);
        if (oracle == null) {
            oracle = new KernelOracle(prepareCommands);
            SHARED.put(List.copyOf(prepareCommands), oracle);
        }
        return oracle;
    }

    /**
     * An oracle whose namespace first gets the state some rules depend on, e.g.
     * {@code ipset create NAME hash:ip} for rules that name a set.
     */
    private KernelOracle(List<String> prepareCommands) {
        KernelTestSupport.requireKernel();
        this.netns = Netns.throwaway("oracle", ProcessRunner.system());
        for (String command : prepareCommands) {
            ProcessResult result = netns.run(List.of("bash", "-c", command), "");
            if (!result.ok()) {
                netns.close();
                throw new SystemException("preparing the oracle failed: " + command + ": " + result.stderr());
            }
        }
    }

    /**
     * Loads each {@code -A CHAIN ...} line of {@code ruleLines} alone into {@code table}, after
     * {@code declarations} (e.g. {@code :TARGET - [0:0]} for chains the rules jump to).
     */
    public List<Answer> ask(Family family, Table table, List<String> declarations, List<String> ruleLines) {
        Path dir;
        try {
            dir = Files.createTempDirectory("rampart-oracle");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            for (int i = 0; i < ruleLines.size(); i++) {
                StringBuilder in = new StringBuilder("*" + table.label() + "\n");
                declarations.forEach(d -> in.append(d).append('\n'));
                in.append(ruleLines.get(i)).append("\nCOMMIT\n");
                Files.writeString(dir.resolve(String.format("r%06d.in", i)), in.toString());
            }
            String cmd = family.command();
            String script = "cd " + dir + "\n"
                    + "for f in r*.in; do\n"
                    + "  echo \"@@@ $f\"\n"
                    + "  if " + cmd + "-restore -w 10 < \"$f\" 2>err.txt; then\n"
                    + "    echo '@@ok'; " + cmd + "-save -t " + table.label() + " | grep '^-A '\n"
                    + "  else echo '@@err'; cat err.txt; fi\n"
                    + "done\n";
            ProcessResult result = netns.run(List.of("bash", "-c", script), "");
            if (!result.ok() && result.stdout().isEmpty()) {
                throw new SystemException("oracle script failed: " + result.stderr());
            }
            return parse(result.stdout(), ruleLines.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTree(dir);
        }
    }

    private static List<Answer> parse(String output, int expected) {
        List<Answer> answers = new ArrayList<>();
        List<String> lines = output.lines().toList();
        int i = 0;
        while (i < lines.size()) {
            if (!lines.get(i).startsWith("@@@ ")) {
                i++;
                continue;
            }
            boolean ok = lines.get(i + 1).equals("@@ok");
            List<String> body = new ArrayList<>();
            i += 2;
            while (i < lines.size() && !lines.get(i).startsWith("@@@ ")) {
                body.add(lines.get(i));
                i++;
            }
            answers.add(ok ? new Answer(true, body, "") : new Answer(false, List.of(), String.join("\n", body)));
        }
        if (answers.size() != expected) {
            throw new IllegalStateException("oracle answered " + answers.size() + " of " + expected + " rules");
        }
        return answers;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temp directory is harmless.
        }
    }
}
