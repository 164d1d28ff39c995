package io.rampart.system;

import static org.junit.jupiter.api.Assertions.fail;

import io.rampart.model.Family;
import io.rampart.syntax.KernelAnswer;
import io.rampart.syntax.KernelCase;
import io.rampart.syntax.KernelCaseFile;
import io.rampart.syntax.KernelCases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The recorded answers of {@code kernel-cases} against the kernel: each case is loaded alone with
 * the real iptables-restore into a throwaway namespace, and what iptables-save prints must be the
 * recorded answer. With {@code -Dkernel.record=true} the files are rewritten with the kernel's answers instead.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class KernelCasesKernelTest {

    /** The objects cases may name, made in the namespace before any case is loaded. */
    static final List<String> PREPARATION = List.of("ipset create testset hash:ip", "ipset create other hash:net",
            "ipset create testset6 hash:ip family inet6", "nfacct add acct1", "nfacct add 'two words'",
            "nfacct add 0123456789012345678901234567890",
            // rate estimators live as long as a RATEEST rule names them: kept in legacy tables, which no case flushes
            "iptables-legacy -t raw -A OUTPUT -j RATEEST --rateest-name est1 --rateest-interval 250ms"
                    + " --rateest-ewmalog 1s",
            "iptables-legacy -t raw -A OUTPUT -j RATEEST --rateest-name est2 --rateest-interval 250ms"
                    + " --rateest-ewmalog 1s");

    private static final String RECORD = "kernel.record";
    private static final String RERECORD = "mvn -B -pl rampart-system -am verify -Dtest=KernelCasesKernelTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -D" + RECORD + "=true";

    @Test
    void theKernelGivesTheRecordedAnswers() {
        KernelOracle oracle = KernelOracle.shared(PREPARATION);
        List<KernelCaseFile> files = KernelCases.files();
        Map<KernelCase, KernelAnswer> kernel = ask(oracle, files.stream().flatMap(f -> f.cases().stream()).toList());
        boolean record = Boolean.getBoolean(RECORD);
        String version = version();
        List<String> differences = new ArrayList<>();
        for (KernelCaseFile file : files) {
            Map<Integer, KernelAnswer> answers = new HashMap<>();
            int differing = 0;
            for (KernelCase c : file.cases()) {
                KernelAnswer answer = kernel.get(c);
                answers.put(c.lineNo(), answer);
                if (!answer.equals(c.answer())) {
                    differing++;
                    differences.add(c.where() + " [" + c.family().command() + " -t " + c.table().label() + "] "
                            + c.line() + "\n    recorded (" + c.version() + "): " + indent(c.answer())
                            + "\n    kernel (" + version + "):   " + indent(answer));
                }
            }
            System.out.println("kernel-cases/" + file.name() + ": " + file.cases().size() + " cases, "
                    + differing + " answered otherwise by the kernel");
            if (record && (differing > 0 || file.cases().stream().anyMatch(c -> !version.equals(c.version())))) {
                write(file, answers, version);
            }
        }
        if (!record && !differences.isEmpty()) {
            fail(differences.size() + " cases are answered otherwise by the kernel than recorded:\n"
                    + String.join("\n", differences)
                    + "\nIf the kernel is right, record its answers (then read the diff before committing):\n  "
                    + RERECORD);
        }
    }

    /** Each case's answer, from one restore run per family, table and declared chains. */
    private static Map<KernelCase, KernelAnswer> ask(KernelOracle oracle, List<KernelCase> cases) {
        Map<KernelCase.Setting, List<KernelCase>> bySetting = new LinkedHashMap<>();
        cases.forEach(c -> bySetting.computeIfAbsent(c.setting(), s -> new ArrayList<>()).add(c));
        Map<KernelCase, KernelAnswer> answers = new HashMap<>();
        bySetting.forEach((setting, group) -> {
            List<KernelOracle.Answer> replies = oracle.ask(setting.family(), setting.table(),
                    group.get(0).declarations(), group.stream().map(KernelCase::line).toList());
            for (int i = 0; i < group.size(); i++) {
                KernelOracle.Answer reply = replies.get(i);
                answers.put(group.get(i), reply.accepted() ? KernelAnswer.saved(reply.savedLines()) : KernelAnswer.REFUSED);
            }
        });
        return answers;
    }

    private static String version() {
        ProcessResult result = ProcessRunner.system().run(List.of(Family.IPV4.command(), "-V"), "");
        if (!result.ok()) {
            throw new SystemException("iptables -V: " + result.stderr());
        }
        return result.stdout().strip();
    }

    private static void write(KernelCaseFile file, Map<Integer, KernelAnswer> answers, String version) {
        try {
            Files.writeString(KernelCases.directory().resolve(file.name()), file.withAnswers(answers, version));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("kernel-cases/" + file.name() + ": recorded");
    }

    private static String indent(KernelAnswer answer) {
        return answer.toString().replace("\n", "\n        ");
    }
}
