package io.rampart.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.reconcile.RestoreSimulation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The in-memory kernel the lockout guard and the rollback rely on, against the real one: random
 * {@code iptables-restore --noflush} scripts (new, emptied and removed chains, appends, inserts,
 * replaces and deletes by position, flushes, policies, and what the kernel refuses: jumps to
 * missing chains, removing a chain still jumped to, positions out of range) run on random
 * rulesets through {@link RestoreSimulation} and through iptables-restore in a throwaway
 * namespace; both must refuse the same scripts and leave the same chains and rules.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RestoreSimulationKernelTest {

    private static final int SCRIPTS = 150;
    private static final List<String> BUILTIN = List.of("INPUT", "FORWARD", "OUTPUT");
    private static final List<String> USER = List.of("C1", "C2", "C3", "C4");
    /** Rules in the kernel's own spelling, so that text compares with text. */
    private static final List<String> RULES = List.of("-s 10.0.0.1/32 -j ACCEPT", "-p tcp -m tcp --dport 22 -j ACCEPT",
            "-d 192.0.2.0/24 -j DROP", "-s 10.0.0.2/32 -j RETURN", "-p udp -m udp --sport 53 -j ACCEPT", "-j DROP");

    @Test
    void theSimulationLeavesWhatTheKernelLeavesAndRefusesWhatItRefuses() {
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
                String simulated;
                try {
                    simulated = RestoreSimulation.after(before, script);
                } catch (RestoreSimulation.Refused e) {
                    simulated = null;
                }
                String problem = simulated == null
                        ? restored.ok() ? "the simulation refuses, the kernel loads it" : null
                        : !restored.ok() ? "the kernel refuses (" + restored.stderr().strip() + "), the simulation loads it"
                        : !chains(simulated).equals(chains(after)) ? "simulated " + chains(simulated) + "\n  kernel " + chains(after)
                        : null;
                if (problem != null) {
                    disagreements.add("round " + round + ": " + problem + "\n" + before + "--- script:\n" + script);
                }
            }
            System.out.println("restore simulation differential: " + SCRIPTS + " scripts, " + refused
                    + " refused by the kernel, " + disagreements.size() + " disagreements");
            assertThat(refused).as("scripts the kernel refused").isPositive().isLessThan(SCRIPTS);
        }
        assertThat(disagreements).isEmpty();
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
            out.append(switch (random.nextInt(9)) {
                case 0 -> ":" + pick(random, List.of("C3", "C4", "C5")) + " - [0:0]";
                case 1 -> ":" + pick(random, BUILTIN) + (random.nextBoolean() ? " ACCEPT" : " DROP") + " [0:0]";
                case 2 -> "-A " + chain + " " + rule;
                case 3 -> "-I " + chain + " " + position + " " + rule;
                case 4 -> "-R " + chain + " " + position + " " + rule;
                case 5 -> "-D " + chain + " " + position;
                case 6 -> "-F " + chain;
                case 7 -> "-X " + pick(random, chains);
                default -> "-P " + pick(random, BUILTIN) + (random.nextBoolean() ? " ACCEPT" : " DROP");
            }).append('\n');
        }
        return out.append("COMMIT\n").toString();
    }

    private static String pick(Random random, List<String> from) {
        return from.get(random.nextInt(from.size()));
    }
}
