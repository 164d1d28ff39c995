package io.rampart.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.syntax.KernelModel;
import io.rampart.syntax.RestoreRefusal;
import io.rampart.syntax.RestoreScript;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The in-memory kernel the lockout guard and the rollback rely on, against the real one: random
 * {@code iptables-restore --noflush} scripts (new, emptied and removed chains, appends, inserts,
 * replaces and deletes by position, flushes, policies, and what the kernel refuses: jumps to
 * missing chains, removing a chain still jumped to or holding rules, positions out of range, deleting
 * a rule by a text no rule has, a policy on a user chain, jump loops) run on random rulesets through
 * {@link KernelModel} and through iptables-restore in a throwaway
 * namespace; both must refuse the same scripts and leave the same chains and rules.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KernelModelKernelTest {

    private static final int SCRIPTS = 300;
    private static final List<String> BUILTIN = List.of("INPUT", "FORWARD", "OUTPUT");
    private static final List<String> USER = List.of("C1", "C2", "C3", "C4");
    /** Rules in the kernel's own spelling, so that text compares with text. */
    private static final List<String> RULES = List.of("-s 10.0.0.1/32 -j ACCEPT", "-p tcp -m tcp --dport 22 -j ACCEPT",
            "-d 192.0.2.0/24 -j DROP", "-s 10.0.0.2/32 -j RETURN", "-p udp -m udp --sport 53 -j ACCEPT", "-j DROP");

    @Test
    void theModelLeavesWhatTheKernelLeavesAndRefusesWhatItRefuses() {
        KernelTestSupport.requireKernel();
        Random random = new Random(19);
        List<String> disagreements = new ArrayList<>();
        try (Netns netns = Netns.throwaway("restoresim", ProcessRunner.system())) {
            Iptables kernel = new Iptables(netns, Family.IPV4);
            int refused = 0;
            for (int round = 0; round < SCRIPTS; round++) {
                ProcessResult base = kernel.restore(base(random), false);
                assertThat(base.ok()).as("base ruleset: %s", base.stderr()).isTrue();
                String before = kernel.save(Table.FILTER);
                String script = script(random);
                ProcessResult restored = kernel.restore(script, true);
                String after = kernel.save(Table.FILTER);
                if (!restored.ok()) {
                    refused++;
                    assertThat(after).as("a refused restore changes nothing").isEqualTo(before);
                }
                String modelled;
                try {
                    modelled = KernelModel.after(before, script);
                } catch (KernelModel.Refused e) {
                    modelled = null;
                }
                String problem = modelled == null
                        ? restored.ok() ? "the model refuses, the kernel loads it" : null
                        : !restored.ok() ? "the kernel refuses (" + restored.stderr().strip() + "), the model loads it"
                        : !chains(modelled).equals(chains(after)) ? "model " + chains(modelled) + "\n  kernel " + chains(after)
                        : null;
                if (problem != null) {
                    disagreements.add("round " + round + ": " + problem + "\n" + before + "--- script:\n" + script);
                }
            }
            System.out.println("kernel model differential: " + SCRIPTS + " scripts, " + refused
                    + " refused by the kernel, " + disagreements.size() + " disagreements");
            assertThat(refused).as("scripts the kernel refused").isPositive().isLessThan(SCRIPTS);
        }
        assertThat(disagreements).isEmpty();
    }

    /** Scripts each backend refuses, on a filter table holding chain C1 with one rule and INPUT jumping to it. */
    private static final List<String> REFUSED = List.of(
            "*filter\n-A INPUT -j NOPE\nCOMMIT\n",
            "*filter\n-X C1\nCOMMIT\n",
            "*filter\n-F C1\n-X C1\nCOMMIT\n",
            "*filter\n-D INPUT 5\nCOMMIT\n",
            "*filter\n-I INPUT 9 -j ACCEPT\nCOMMIT\n",
            "*filter\n-R C1 2 -j ACCEPT\nCOMMIT\n",
            "*filter\n-D INPUT -s 192.0.2.1/32 -j ACCEPT\nCOMMIT\n",
            "*filter\n-P C1 DROP\nCOMMIT\n",
            "*filter\n-A C9 -j ACCEPT\nCOMMIT\n",
            "*filter\n-X INPUT\nCOMMIT\n",
            "*filter\n-A C1 -j C1\nCOMMIT\n",
            "*filter\n:C2 - [0:0]\n-A C2 -j ACCEPT\nCOMMIT\n*filter\n-X C2\nCOMMIT\n");

    /**
     * Each backend's refusal names a line; {@link RestoreRefusal} reads it, and it is the line the
     * model refuses. The model checks as legacy iptables does, jumps to missing chains at the rule and
     * loops at COMMIT; nf_tables does it the other way round, so there it is a line of the same table.
     */
    @ParameterizedTest
    @ValueSource(strings = {"nft", "legacy"})
    void theRefusalNamesTheLineTheModelRefuses(String backend) {
        KernelTestSupport.requireKernel();
        List<String> disagreements = new ArrayList<>();
        try (Netns netns = Netns.throwaway("refusal", ProcessRunner.system())) {
            String base = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:C1 - [0:0]\n"
                    + "-A INPUT -j C1\n-A C1 -s 10.0.0.1/32 -j ACCEPT\nCOMMIT\n";
            for (String script : REFUSED) {
                ProcessResult loaded = netns.run(List.of("iptables-" + backend + "-restore"), base);
                assertThat(loaded.ok()).as("base ruleset: %s", loaded.stderr()).isTrue();
                ProcessResult restored = netns.run(List.of("iptables-" + backend + "-restore", "--noflush"), script);
                int modelled;
                try {
                    KernelModel.after(base, script);
                    modelled = 0;
                } catch (KernelModel.Refused refused) {
                    modelled = refused.line();
                }
                RestoreRefusal refusal = RestoreRefusal.of(restored.stderr());
                RestoreScript parsed = RestoreScript.parse(script);
                boolean sameTable = backend.equals("nft") && refusal.line().isPresent()
                        && tableStart(parsed, refusal.line().getAsInt()) == tableStart(parsed, modelled);
                if (restored.ok() || modelled == 0 || refusal.line().isEmpty()
                        || refusal.line().getAsInt() != modelled && !sameTable) {
                    disagreements.add(script + "  kernel: " + (restored.ok() ? "loaded" : restored.stderr().strip())
                            + "\n  read as line " + refusal.line() + ", the model refuses line " + modelled);
                }
                assertThat(refusal.reason()).as("the reason of %s", restored.stderr()).isNotBlank().doesNotEndWith(":");
            }
        }
        assertThat(disagreements).isEmpty();
    }

    /** The line of the {@code *table} that line {@code number} belongs to. */
    private static int tableStart(RestoreScript script, int number) {
        for (int line = number; line > 0; line--) {
            if (script.line(line) instanceof RestoreScript.TableStart) {
                return line;
            }
        }
        return 0;
    }

    /** Each chain's policy and rules, chains by name: the two print chains in different orders. */
    private static TreeMap<String, List<String>> chains(String saved) {
        TreeMap<String, List<String>> chains = new TreeMap<>();
        for (String line : saved.split("\n")) {
            if (line.startsWith(":")) {
                String[] fields = line.substring(1).split(" ");
                chains.computeIfAbsent(fields[0], c -> new ArrayList<>()).add(0, "policy " + fields[1]);
            } else if (line.startsWith("-A ")) {
                chains.computeIfAbsent(line.split(" ")[1], c -> new ArrayList<>()).add(line);
            }
        }
        return chains;
    }

    private static String base(Random random) {
        List<String> user = USER.stream().filter(c -> random.nextBoolean()).toList();
        StringBuilder out = new StringBuilder("*filter\n");
        BUILTIN.forEach(c -> out.append(':').append(c).append(random.nextBoolean() ? " ACCEPT" : " DROP").append(" [0:0]\n"));
        user.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        List<String> all = new ArrayList<>(BUILTIN);
        all.addAll(user);
        for (String chain : all) {
            for (int i = random.nextInt(4); i > 0; i--) {
                // Built-in chains jump to user chains, and C1 to later ones: no loops.
                List<String> targets = user.stream().filter(t -> BUILTIN.contains(chain) || chain.compareTo(t) < 0).toList();
                out.append("-A ").append(chain).append(' ').append(!targets.isEmpty() && random.nextInt(3) == 0
                        ? "-j " + targets.get(random.nextInt(targets.size())) : pick(random, RULES)).append('\n');
            }
        }
        return out.append("COMMIT\n").toString();
    }

    private static String script(Random random) {
        List<String> chains = new ArrayList<>(BUILTIN);
        chains.addAll(USER);
        chains.add("C5");
        StringBuilder out = new StringBuilder("*filter\n");
        for (int i = 1 + random.nextInt(5); i > 0; i--) {
            String chain = pick(random, chains);
            int position = 1 + random.nextInt(4);
            String rule = random.nextInt(4) == 0 ? "-j " + pick(random, USER.subList(1, USER.size())) : pick(random, RULES);
            out.append(switch (random.nextInt(11)) {
                case 0 -> ":" + pick(random, List.of("C3", "C4", "C5")) + " - [0:0]";
                case 1 -> ":" + pick(random, BUILTIN) + (random.nextBoolean() ? " ACCEPT" : " DROP") + " [0:0]";
                case 2 -> "-A " + chain + " " + rule;
                case 3 -> "-I " + chain + " " + position + " " + rule;
                case 4 -> "-R " + chain + " " + position + " " + rule;
                case 5 -> "-D " + chain + " " + position;
                case 6 -> "-F " + chain;
                case 7 -> "-X " + pick(random, chains);
                case 8 -> "-D " + chain + " " + rule;
                case 9 -> "-P " + pick(random, chains) + (random.nextBoolean() ? " ACCEPT" : " DROP");
                default -> "-P " + pick(random, BUILTIN) + (random.nextBoolean() ? " ACCEPT" : " DROP");
            }).append('\n');
        }
        return out.append("COMMIT\n").toString();
    }

    private static String pick(Random random, List<String> from) {
        return from.get(random.nextInt(from.size()));
    }
}
