package io.rampart.system;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
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
        require(problem());
    }

    /** Like {@link #requireKernel}, for tools a test needs beyond iptables (installed by install-deps --tests). */
    public static void requireTools(String... tools) {
        requireKernel();
        for (String tool : tools) {
            requireTool(tool);
        }
    }

    /** A tool a test needs (installed by install-deps --tests), also for tests that need no kernel. */
    public static void requireTool(String tool) {
        if (!ProcessRunner.system().run(List.of("sh", "-c", "command -v " + tool), "").ok()) {
            require(tool + " is not installed (run ./scripts/install-deps --tests)");
        }
    }

    /** Fails (in CI) or skips the test for {@code problem}; does nothing when it is null. */
    public static void require(String problem) {
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

    /**
     * A throwaway namespace (after {@link #requireKernel}) holding an up veth {@code device} with the
     * given addresses ({@code 10.0.0.1/24}, {@code 2001:db8::1/64}), for tests that need a local
     * address; its peer is {@code device + "p"}. A command the kernel refuses fails the test.
     */
    public static Netns namespaceWithInterface(String prefix, String device, String... addresses) {
        requireKernel();
        Netns netns = Netns.throwaway(prefix, ProcessRunner.system());
        String peer = device + "p";
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("ip", "link", "add", device, "type", "veth", "peer", "name", peer));
        for (String address : addresses) {
            commands.add(address.contains(":")
                    ? List.of("ip", "-6", "addr", "add", address, "dev", device, "nodad")
                    : List.of("ip", "addr", "add", address, "dev", device));
        }
        commands.add(List.of("ip", "link", "set", device, "up"));
        commands.add(List.of("ip", "link", "set", peer, "up"));
        for (List<String> command : commands) {
            ProcessResult result = netns.run(command, "");
            if (!result.ok()) {
                netns.close();
                fail(String.join(" ", command) + ": " + result.stderr());
            }
        }
        return netns;
    }
}
