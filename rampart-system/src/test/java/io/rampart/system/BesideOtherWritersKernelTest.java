package io.rampart.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.LiveState;
import io.rampart.reconcile.Planner;
import io.rampart.reconcile.Reconciler;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import io.rampart.model.Table;
import io.rampart.system.agent.Agent;
import io.rampart.system.agent.AgentEvent;
import io.rampart.system.agent.InvalidFileException;
import io.rampart.system.agent.KernelWatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Applies while other programs write the same tables: their rules stay theirs, ours end as the file says. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BesideOtherWritersKernelTest {

    private Netns netns;

    @BeforeEach
    void start() {
        KernelTestSupport.requireKernel();
        netns = Netns.throwaway("beside", ProcessRunner.system());
    }

    @AfterEach
    void stop() {
        if (netns != null) {
            netns.close();
        }
    }

    private static DesiredState desired(String text) throws RulesetSyntaxException {
        return DesiredState.of(new RulesetParser(StandardExtensions.registry(), Family.IPV4,
                NameDatabase.system()).parseWithLines(text),
                StandardExtensions.registry(), "test.rules");
    }

    private Reconciler reconciler() {
        return new Reconciler(new SystemXtables(netns), StandardExtensions.registry());
    }

    private String save() {
        return new Iptables(netns, Family.IPV4).save();
    }

    /** A version of a file sharing the head of FORWARD: a few rules of its own and a jump to its chain. */
    private static String sharedHeadVersion(int version) {
        StringBuilder text = new StringBuilder("*filter\n:APP - [0:0]\n# rampart: shared FORWARD head\n");
        for (int i = 0; i <= version % 4; i++) {
            text.append("-A FORWARD -s 10.1.").append(version).append('.').append(i + 1).append(" -j ACCEPT\n");
        }
        text.append("-A FORWARD -j APP\n-A APP -d 10.2.").append(version).append(".1 -j DROP\nCOMMIT\n");
        return text.toString();
    }

    /**
     * A random file: a block at the head of FORWARD and one at the tail of OUTPUT (or not shared at
     * all), and up to four chains of its own, each there or not, jumped to from FORWARD.
     */
    private static String randomState(Random random, int version) {
        StringBuilder text = new StringBuilder("*filter\n");
        List<String> chains = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            if (random.nextInt(3) > 0) {
                chains.add("APP" + i);
                text.append(':').append("APP").append(i).append(" - [0:0]\n");
            }
        }
        if (random.nextInt(6) > 0) {
            text.append("# rampart: shared FORWARD head\n");
            for (int i = random.nextInt(4); i > 0; i--) {
                text.append("-A FORWARD -s 10.1.").append(version % 250).append('.').append(i).append(" -j ACCEPT\n");
            }
            chains.forEach(chain -> text.append("-A FORWARD -j ").append(chain).append('\n'));
        }
        for (String chain : chains) {
            for (int i = random.nextInt(4); i > 0; i--) {
                text.append("-A ").append(chain).append(" -d 10.2.").append(random.nextInt(3)).append('.').append(i)
                        .append(" -j ").append(random.nextBoolean() ? "DROP" : "RETURN").append('\n');
            }
        }
        if (random.nextInt(6) > 0) {
            text.append("# rampart: shared OUTPUT tail\n");
            for (int i = random.nextInt(3); i > 0; i--) {
                text.append("-A OUTPUT -d 10.3.").append(random.nextInt(3)).append('.').append(i).append(" -j DROP\n");
            }
        }
        return text.append("COMMIT\n").toString();
    }

    @Test
    void randomFilesBesideForeignWritersAndTheAgent(@TempDir Path directory) throws Exception {
        long seed = 20261201L;
        Random random = new Random(seed);
        Path file = directory.resolve("shared.rules");
        Files.writeString(file, randomState(random, 0));
        RunningAgent agent = new RunningAgent(file);
        ForeignWriter churn = new ForeignWriter(netns, "fw", ForeignWriter.Kind.CHURN, List.of("FORWARD", "OUTPUT"),
                seed).start();
        ForeignWriter refill = new ForeignWriter(netns, "fr", ForeignWriter.Kind.REFILL, List.of(), seed + 1).start();
        ForeignWriter vandal = new ForeignWriter(netns, "fv", ForeignWriter.Kind.VANDAL, List.of("FORWARD", "OUTPUT"),
                seed + 2).start();
        Reconciler reconciler = reconciler();
        int applies = 200;
        int replanned = 0;
        String last = null;
        try {
            for (int version = 1; version <= applies; version++) {
                last = randomState(random, version);
                Path written = Files.writeString(directory.resolve(".shared.rules.new"), last);
                Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Reconciler.Applied applied = reconciler.apply(desired(last));
                replanned += applied.replans() > 0 ? 1 : 0;
            }
        } finally {
            int churned = churn.stop();
            int refilled = refill.stop();
            vandal.stop();
            System.out.println("beside foreign writers (seed " + seed + "): " + applies + " applies, " + replanned
                    + " re-planned; the writers made " + churned + " and " + refilled + " changes");
        }
        DesiredState lastState = desired(last);
        // The agent has the last file too and repairs what the writers left; wait until it is done.
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!reconciler.plan(lastState).isEmpty() && System.nanoTime() < giveUp) {
            Thread.onSpinWait();
        }
        agent.stop();

        String saved = save();
        assertThat(churn.inKernel(saved)).as("the churning writer's rules").isEqualTo(churn.believed());
        assertThat(refill.inKernel(saved)).as("the refilling writer's chain").isEqualTo(refill.believed());
        assertThat(ourRules(saved)).as("Rampart's rules: exactly the last file's")
                .isEqualTo(fileRules(lastState));
        assertThat(reconciler.plan(lastState).isEmpty()).as("the blocks in place at the head and the tail").isTrue();
        assertThat(reconciler.apply(lastState).written()).as("a further apply writes nothing").isFalse();
    }

    @Test
    void appliesAgainstTheAgentLeaveOneFileOrTheOtherAndTheAgentHasTheLastWord(@TempDir Path directory)
            throws Exception {
        String agentsFile = sharedHeadVersion(1);
        String applied = sharedHeadVersion(2);
        Path file = Files.writeString(directory.resolve("agent.rules"), agentsFile);
        RunningAgent agent = new RunningAgent(file);
        Reconciler reconciler = reconciler();
        DesiredState agents = desired(agentsFile);
        DesiredState ours = desired(applied);
        try {
            for (int i = 0; i < 20; i++) {
                reconciler.apply(ours);
                // One read, compared with both files: the kernel holds one of them whole, never a mix.
                String saved = save();
                Planner planner = new Planner(StandardExtensions.registry());
                boolean holdsAgents = planner.plan(agents, LiveState.parse(saved)).isEmpty();
                boolean holdsOurs = planner.plan(ours, LiveState.parse(saved)).isEmpty();
                assertThat(holdsAgents || holdsOurs).as("the kernel holds one of the files: " + saved).isTrue();
            }
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!reconciler.plan(agents).isEmpty() && System.nanoTime() < giveUp) {
                Thread.onSpinWait();
            }
            assertThat(reconciler.plan(agents).isEmpty()).as("the agent repaired to its file").isTrue();
        } finally {
            agent.stop();
        }
    }

    /** The agent on a thread of its own, enforcing a file; stopping it fails the test if it failed or could not sync. */
    private final class RunningAgent {
        private final Agent agent;
        private final Thread thread;
        private final BlockingQueue<AgentEvent> failed = new LinkedBlockingQueue<>();
        private final AtomicReference<Exception> failure = new AtomicReference<>();

        RunningAgent(Path file) {
            agent = new Agent(file, () -> read(file), NameDatabase.system(), reconciler(),
                    new KernelWatch.Events(netns, Family.IPV4),
                    event -> {
                        if (event.kind() == AgentEvent.Kind.KERNEL_REFUSED
                                || event.kind() == AgentEvent.Kind.FILE_ERROR) {
                            failed.add(event);
                        }
                    });
            thread = new Thread(() -> {
                try {
                    agent.run();
                } catch (Exception e) {
                    failure.set(e);
                }
            }, "agent under test");
            thread.start();
        }

        void stop() throws InterruptedException {
            agent.stop();
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(failure.get()).as("the agent").isNull();
            assertThat(failed).as("what the agent could not do").isEmpty();
        }
    }

    /** Every rule that is neither a foreign writer's nor Rampart's bookkeeping, by chain, in order. */
    private static Map<String, List<String>> ourRules(String saved) {
        Map<String, List<String>> rules = new TreeMap<>();
        saved.lines().filter(l -> l.startsWith("-A ") && !l.contains("--comment fw-") && !l.contains("--comment fr-")
                        && !l.startsWith("-A RAMPART-MANAGED "))
                .forEach(l -> rules.computeIfAbsent(l.split(" ")[1], c -> new ArrayList<>()).add(l));
        return rules;
    }

    /** The file's rules, by chain, in order. */
    private static Map<String, List<String>> fileRules(DesiredState state) {
        Map<String, List<String>> rules = new TreeMap<>();
        state.table(Table.FILTER).ifPresent(table -> table.chains().forEach(chain -> {
            List<String> lines = table.rulesOf(chain.name()).stream().map(DesiredState.DesiredRule::line).toList();
            if (!lines.isEmpty()) {
                rules.put(chain.name(), lines);
            }
        }));
        return rules;
    }

    private static DesiredState read(Path file) throws InvalidFileException {
        try {
            return desired(Files.readString(file));
        } catch (IOException e) {
            throw new InvalidFileException(file + ": cannot read: " + e.getMessage());
        } catch (RulesetSyntaxException e) {
            throw new InvalidFileException(file + ":" + e.located());
        }
    }

    @Test
    void successiveVersionsBesideAWriterAtTheHeadOfTheSharedChain() throws Exception {
        ForeignWriter writer = new ForeignWriter(netns, "fw", ForeignWriter.Kind.CHURN, List.of("FORWARD"), 12)
                .start();
        Reconciler reconciler = reconciler();
        int last = 30;
        try {
            for (int version = 1; version <= last; version++) {
                reconciler.apply(desired(sharedHeadVersion(version)));
            }
        } finally {
            writer.stop();
        }
        reconciler.apply(desired(sharedHeadVersion(last)));
        String saved = save();
        assertThat(writer.inKernel(saved)).as("the foreign writer's rules").isEqualTo(writer.believed());
        List<String> ours = saved.lines().filter(l -> l.startsWith("-A FORWARD ") && !l.contains("--comment fw-"))
                .toList();
        assertThat(ours).as("Rampart's rules in FORWARD, at its head").containsExactly(
                "-A FORWARD -s 10.1.30.1/32 -j ACCEPT", "-A FORWARD -s 10.1.30.2/32 -j ACCEPT",
                "-A FORWARD -s 10.1.30.3/32 -j ACCEPT", "-A FORWARD -j APP");
        assertThat(saved.lines().filter(l -> l.startsWith("-A FORWARD ")).limit(4).toList()).isEqualTo(ours);
        assertThat(saved).contains("-A APP -d 10.2.30.1/32 -j DROP\n");
        assertThat(reconciler.plan(desired(sharedHeadVersion(last))).isEmpty()).as("a further apply writes nothing")
                .isTrue();
    }
}
