package io.rampart.cli;

import io.rampart.api.RulesetFile;
import io.rampart.config.RulesetSource;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.CheckedXtables;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.Reconciler;
import io.rampart.reconcile.Xtables;
import io.rampart.syntax.KernelModel;
import io.rampart.system.Backend;
import io.rampart.system.CountingRunner;
import io.rampart.system.Iptables;
import io.rampart.system.LockFile;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import io.rampart.system.SystemXtables;
import io.rampart.system.WriterLock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The training run of the launcher's class cache (packaging/rampart.sh): what a cache holds is what
 * this run loads and links, so it does what the commands run most often do, without touching the
 * kernel. {@code check} of the launcher's small file in the Rampart language (with the dead-rule
 * analysis), then a generated host firewall of a few thousand rules read and checked as
 * {@code apply} reads it, planned and applied three times (to an empty kernel, again, and with one
 * rule changed) on a kernel kept in memory ({@link KernelModel}), and the plan printed; and the
 * plain {@code apply} command line up to the kernel. A cache trained on the small file alone left
 * about 700 classes of an apply to be loaded from the jar and the JDK at every start.
 *
 * <pre>java -XX:AOTCacheOutput=CACHE -cp rampart.jar io.rampart.cli.CacheTraining SMALL_FILE</pre>
 */
final class CacheTraining {

    /** Chains and rules per chain of the generated ruleset: enough for every path of the reading to run. */
    private static final int CHAINS = 200;
    private static final int RULES_PER_CHAIN = 10;

    private CacheTraining() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CacheTraining SMALL_FILE");
            System.exit(ExitCode.USAGE);
        }
        PrintWriter discard = new PrintWriter(Writer.nullWriter());
        int code = Main.run(new String[] {"check", args[0]}, new ByteArrayInputStream(new byte[0]), discard, discard);
        Path dir = Files.createTempDirectory(Path.of(args[0]).toAbsolutePath().getParent(), "training");
        try {
            Path rules = dir.resolve("rules");
            Path changed = dir.resolve("rules-changed");
            Files.writeString(rules, hostFirewall(false));
            Files.writeString(changed, hostFirewall(true));
            for (String command : List.of("apply", "plan")) {
                Main.run(new String[] {command, "--help"}, new ByteArrayInputStream(new byte[0]), discard, discard);
            }
            Xtables kernel = new CheckedXtables(new MemoryKernel(), (saved, script, write) -> write.get());
            Reconciler reconciler = new Reconciler(kernel, StandardExtensions.registry());
            for (Path file : List.of(rules, rules, changed)) {
                Reconciler.Applied applied = reconciler.apply(desired(file));
                PlanText.print(applied.plan(), discard);
                discard.println(PlanText.summary(applied.plan()));
            }
            // A process run as the commands run iptables (its output through a file), counted as apply counts them.
            new CountingRunner(ProcessRunner.system()).run(List.of("true"), "");
            applyUpToTheKernel(rules, discard, dir.resolve("lock"));
        } catch (Exception | AssertionError e) {
            System.err.println("rampart: the cache's training failed: " + e);
            code = ExitCode.SYSTEM;
        } finally {
            for (String name : List.of("rules", "rules-changed", "lock")) {
                Files.deleteIfExists(dir.resolve(name));
            }
            Files.deleteIfExists(dir);
        }
        System.exit(code);
    }

    /**
     * What a plain {@code apply} runs before and around the kernel that this run can do without one:
     * its arguments read without picocli and the command set up, a namespace refused (a name with a
     * slash, which no namespace has, so nothing is ever applied), the namespace's identity read, a lock
     * file held and let go (a temporary one: never the writers' lock), the wait for other writers, the
     * backend's name.
     */
    private static void applyUpToTheKernel(Path rules, PrintWriter discard, Path lock) {
        Main.run(new String[] {"apply", "--netns", "no/namespace", rules.toString()}, new ByteArrayInputStream(new byte[0]),
                discard, discard, Map.of());
        Netns host = Netns.host(ProcessRunner.system());
        host.identity();
        new NetnsValueResolver(host);
        new Iptables(host, Family.IPV4);
        LockFile.of(lock).acquire(Duration.ZERO, holder -> { }).ifPresent(LockFile.Held::close);
        WriterLock.Waiting waiting = new WriterWait().waiting(discard, false);
        new SystemXtables(host, waiting, Optional.empty());
        Backend.detect(Family.IPV4).label();
    }

    private static DesiredState desired(Path file) {
        RulesetSource source = RulesetFile.checked(file, Family.IPV4, Optional.empty(), NameDatabase.system(),
                warnings -> { }, inputs -> { });
        return RulesetFile.desired(file, source, Optional.empty()).get(Family.IPV4);
    }

    /**
     * A host firewall in iptables-save text, the same every time: INPUT jumps by destination network
     * to {@value #CHAINS} chains of addresses, ports and ranges, multiport, conntrack states, comments,
     * rate-limited ICMP, interfaces, LOG and REJECT; a nat table with DNAT and MASQUERADE. With
     * {@code changed}, the first rule of the middle chain has another port.
     */
    static String hostFirewall(boolean changed) {
        StringBuilder text = new StringBuilder("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (int c = 0; c < CHAINS; c++) {
            text.append(':').append(chain(c)).append(" - [0:0]\n");
        }
        text.append("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n");
        for (int c = 0; c < CHAINS; c++) {
            text.append("-A INPUT -d 10.").append(c / 250).append('.').append(c % 250).append(".0/24 -j ")
                    .append(chain(c)).append('\n');
        }
        long seed = 42;
        for (int c = 0; c < CHAINS; c++) {
            String chain = chain(c);
            for (int r = 0; r < RULES_PER_CHAIN; r++) {
                seed = seed * 16807 % 2147483647;
                int a = (int) (seed % 256);
                int b = (int) (seed / 256 % 254) + 1;
                int port = changed && c == CHAINS / 2 && r == 0 ? 4444 : 1 + (int) (seed / 65536 % 65000);
                text.append("-A ").append(chain).append(switch ((r + c) % 8) {
                    case 0 -> " -s 10." + a + "." + b + ".0/24 -p tcp -m tcp --dport " + port
                            + " -m conntrack --ctstate NEW -m comment --comment \"" + chain + ": allow\" -j ACCEPT";
                    case 1 -> " -s 192.168." + a + "." + b + "/32 -p tcp -m multiport --dports " + port + ","
                            + (port + 1) + " -j ACCEPT";
                    case 2 -> " -d 10." + a + ".0.0/16 -p udp -m udp --dport " + port + " -j ACCEPT";
                    case 3 -> " -p icmp -m icmp --icmp-type 8 -m limit --limit " + (1 + a % 20) + "/sec -j ACCEPT";
                    case 4 -> " -m conntrack --ctstate INVALID -j DROP";
                    case 5 -> " ! -s 10.0.0.0/8 -p tcp -m tcp --dport " + port + " -j REJECT --reject-with tcp-reset";
                    case 6 -> " -i eth" + a % 4 + " -p tcp -m tcp --sport 1024:65535 --dport " + port + " -j ACCEPT";
                    default -> " -m limit --limit 5/min -j LOG --log-prefix \"" + chain + ": \"";
                }).append('\n');
            }
            text.append("-A ").append(chain).append(" -j REJECT --reject-with icmp-port-unreachable\n");
        }
        text.append("COMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":POSTROUTING ACCEPT [0:0]\n");
        for (int i = 1; i <= 20; i++) {
            text.append("-A PREROUTING -d 192.0.2.").append(i).append("/32 -p tcp -m tcp --dport 80 -j DNAT")
                    .append(" --to-destination 10.0.1.").append(i).append(":8080\n");
        }
        return text.append("-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n").toString();
    }

    private static String chain(int c) {
        return String.format("svc-%03d", c);
    }

    /** A kernel in memory: its iptables-save text, and what each restore leaves on it. */
    private static final class MemoryKernel implements Xtables {
        private String saved = "";

        @Override
        public String save(Family family) {
            return saved;
        }

        @Override
        public RestoreResult restore(Family family, String script) {
            try {
                saved = KernelModel.after(saved, script);
                return new RestoreResult(true, "");
            } catch (KernelModel.Refused refused) {
                return new RestoreResult(false, refused.getMessage());
            }
        }
    }
}
