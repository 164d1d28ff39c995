package io.rampart.system;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Guards for tests that need the real kernel. In CI (CI=true) a missing kernel, iptables or root
 * fails the test; elsewhere the test is skipped with the reason.
 */
public final class KernelTestSupport {

    private KernelTestSupport() {
    }

    public static void requireKernel() {
        String problem = problem();
        if (problem == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("kernel tests must run in CI: " + problem);
        }
        Assumptions.abort("kernel tests skipped: " + problem);
    }

    private static String problem() {
        ProcessRunner runner = ProcessRunner.system();
        try {
            ProcessResult id = runner.run(List.of("id", "-u"), "");
            if (!id.stdout().strip().equals("0")) {
                return "not root";
            }
            for (String tool : List.of("iptables", "ip6tables", "iptables-restore", "ip")) {
                if (!runner.run(List.of("sh", "-c", "command -v " + tool), "").ok()) {
                    return tool + " is not installed (run ./scripts/install-deps)";
                }
            }
            return null;
        } catch (SystemException e) {
            return e.getMessage();
        }
    }
}
