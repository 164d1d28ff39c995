package io.rampart.system.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.PlanException;
import io.rampart.reconcile.Reconciler;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import io.rampart.system.CountingRunner;
import io.rampart.system.Eventually;
import io.rampart.system.Iptables;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import io.rampart.system.SystemXtables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The agent on its own thread against a live kernel, in a throwaway namespace. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AgentKernelTest {

    private static final String FIREWALL = """
            *filter
            :INPUT ACCEPT [0:0]
            :SSH - [0:0]
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p tcp --dport 22 -j SSH
            -A INPUT -p udp --dport 53 -j ACCEPT
            -A SSH -s 192.0.2.0/24 -j ACCEPT
            -A SSH -j DROP
            COMMIT
            """;
    private static final List<String> FIREWALL_INPUT = List.of(
            "-A INPUT -i lo -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport 22 -j SSH",
            "-A INPUT -p udp -m udp --dport 53 -j ACCEPT");
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    /** Longer than the agent's longest wait for quiet (1 s), so a sync it started would be seen. */
    private static final Duration IDLE = Duration.ofSeconds(3);
    /** How long the file is quiet before the agent under test reads it in full after a quick change. */
    private static final Duration READ_QUIET = Duration.ofSeconds(1);

    @TempDir
    Path directory;

    private Path file;
    private Family family = Family.IPV4;
    private CountingRunner processes;
    private Netns netns;
    private Agent agent;
    private Thread thread;
    private final BlockingQueue<AgentEvent> events = new LinkedBlockingQueue<>();
    /** How many processes had been started when each event was emitted. */
    private final List<Integer> startedAtEvent = new CopyOnWriteArrayList<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    /** Text the test's reading of the file refuses, as a check of the whole file would; null: none. */
    private volatile String refusedByTheWholeFile;

    @BeforeEach
    void start() throws IOException {
        KernelTestSupport.requireKernel();
        processes = new CountingRunner(ProcessRunner.system());
        netns = Netns.throwaway("agent", processes);
        file = directory.resolve("firewall.rules");
        Files.writeString(file, FIREWALL);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (agent != null) {
            agent.stop();
            thread.join(PATIENCE.toMillis());
        }
        if (netns != null) {
            netns.close();
        }
    }

    private void startAgent(KernelWatch watch) {
        agent = new Agent(file, this::read, NameDatabase.system(), new Reconciler(new SystemXtables(netns),
                StandardExtensions.registry()),
                watch, event -> {
                    startedAtEvent.add(processes.started());
                    events.add(event);
                }, SyncStats.inMemory(), READ_QUIET);
        thread = new Thread(() -> {
            try {
                agent.run();
            } catch (Exception e) {
                failure.set(e);
            }
        }, "agent under test");
        thread.start();
        assertThat(next().kind()).isEqualTo(AgentEvent.Kind.STARTED);
        assertThat(next().kind()).isEqualTo(AgentEvent.Kind.APPLIED);
    }

    private void startAgent() {
        startAgent(new KernelWatch.Events(netns, family));
    }

    private DesiredState read() throws InvalidFileException {
        try {
            String text = Files.readString(file);
            if (refusedByTheWholeFile != null && text.contains(refusedByTheWholeFile)) {
                throw new InvalidFileException(file + ": " + refusedByTheWholeFile + " is refused by the whole file's check");
            }
            return DesiredState.of(new RulesetParser(StandardExtensions.registry(), family, NameDatabase.system())
                    .parseWithLines(text), StandardExtensions.registry(), file.toString());
        } catch (IOException e) {
            throw new InvalidFileException(file + ": cannot read: " + e.getMessage());
        } catch (RulesetSyntaxException e) {
            throw new InvalidFileException(file + ":" + e.located());
        }
    }

    /** The next event, waiting at most {@link #PATIENCE}. */
    private AgentEvent next() {
        try {
            AgentEvent event = events.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                fail("no agent event within " + PATIENCE + (failure.get() == null ? "" : ": " + failure.get()));
            }
            return event;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Saves the file as editors do: a new file renamed over the old one. */
    private void edit(String text) throws IOException {
        Path written = Files.writeString(directory.resolve(".firewall.rules.swp"), text);
        Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void shell(String command) {
        ProcessResult result = netns.run(List.of("sh", "-c", command), "");
        assertThat(result.ok()).as(command + ": " + result.stderr()).isTrue();
    }

    private List<String> rulesOf(String chain) {
        return new Iptables(netns, family).save().lines().filter(l -> l.startsWith("-A " + chain + " ")).toList();
    }

    /** How fast the repair comes is measured in bench/, not asserted here. */
    @Test
    void repairsARuleDeletedByHand() {
        startAgent();
        shell("iptables -D INPUT 2");
        AgentEvent repaired = next();
        assertThat(repaired.kind()).isEqualTo(AgentEvent.Kind.REPAIRED);
        assertThat(repaired.plan().changes()).singleElement().satisfies(c -> assertThat(c.chain()).isEqualTo("INPUT"));
        assertThat(rulesOf("INPUT")).isEqualTo(FIREWALL_INPUT);
    }

    @Test
    void repairsAForeignInsertionIntoAManagedChainAndLeavesForeignChainsAlone() {
        shell("iptables -N DOCKER && iptables -A DOCKER -j RETURN && iptables -A FORWARD -j DOCKER");
        startAgent();
        shell("iptables -I SSH 1 -s 203.0.113.9 -j ACCEPT");
        AgentEvent repaired = next();
        assertThat(repaired.kind()).isEqualTo(AgentEvent.Kind.REPAIRED);
        assertThat(rulesOf("SSH")).containsExactly("-A SSH -s 192.0.2.0/24 -j ACCEPT", "-A SSH -j DROP");
        assertThat(rulesOf("DOCKER")).containsExactly("-A DOCKER -j RETURN");
        assertThat(rulesOf("FORWARD")).containsExactly("-A FORWARD -j DOCKER");
    }

    private void nextIsAnApplyOfOneRule() {
        AgentEvent applied = next();
        assertThat(applied.kind()).isEqualTo(AgentEvent.Kind.APPLIED);
        assertThat(applied.plan().ruleChanges()).isEqualTo(1);
    }

    @Test
    void reappliesWhenTheFileChanges() throws IOException {
        startAgent();
        edit(FIREWALL.replace("-A SSH -j DROP\n", "-A SSH -s 198.51.100.0/24 -j ACCEPT\n-A SSH -j DROP\n"));
        nextIsAnApplyOfOneRule();
        assertThat(rulesOf("SSH")).containsExactly("-A SSH -s 192.0.2.0/24 -j ACCEPT",
                "-A SSH -s 198.51.100.0/24 -j ACCEPT", "-A SSH -j DROP");
    }

    @Test
    void aRuleChangedInPlaceIsAppliedOnce() throws IOException {
        startAgent();
        edit(FIREWALL.replace("-A SSH -j DROP", "-A SSH -j REJECT"));
        nextIsAnApplyOfOneRule();
        assertThat(rulesOf("SSH")).containsExactly("-A SSH -s 192.0.2.0/24 -j ACCEPT",
                "-A SSH -j REJECT --reject-with icmp-port-unreachable");
        shell("iptables -D INPUT 1");
        assertThat(next().kind()).as("the next event is the repair, not a second apply of the edit")
                .isEqualTo(AgentEvent.Kind.REPAIRED);
        assertThat(rulesOf("INPUT")).isEqualTo(FIREWALL_INPUT);
    }

    /** A rule changed in place goes to the kernel before the whole file is read; the whole reading has the last word. */
    @Test
    void aRuleChangedInPlaceThatTheWholeFileRefusesIsTakenBack() throws IOException {
        refusedByTheWholeFile = "--dport 666";
        startAgent();
        edit(FIREWALL.replace("--dport 53", "--dport 666"));
        nextIsAnApplyOfOneRule();
        AgentEvent error = next();
        assertThat(error.kind()).isEqualTo(AgentEvent.Kind.FILE_ERROR);
        assertThat(error.message()).contains("--dport 666 is refused");
        AgentEvent back = next();
        assertThat(back.kind()).isEqualTo(AgentEvent.Kind.APPLIED);
        assertThat(rulesOf("INPUT")).isEqualTo(FIREWALL_INPUT);
    }

    @Test
    void aBadEditIsReportedAndTheLastGoodStateStaysEnforced() throws IOException {
        startAgent();
        edit(FIREWALL.replace("--dport 53", "--dprot 53"));
        AgentEvent error = next();
        assertThat(error.kind()).isEqualTo(AgentEvent.Kind.FILE_ERROR);
        assertThat(error.message()).startsWith(file + ":6:").contains("did you mean --dport?");

        shell("iptables -D INPUT 3");
        assertThat(next().kind()).isEqualTo(AgentEvent.Kind.REPAIRED);
        assertThat(rulesOf("INPUT")).isEqualTo(FIREWALL_INPUT);

        edit(FIREWALL.replace("--dport 53", "--dport 5353"));
        assertThat(next().kind()).isEqualTo(AgentEvent.Kind.APPLIED);
        assertThat(rulesOf("INPUT")).last().isEqualTo("-A INPUT -p udp -m udp --dport 5353 -j ACCEPT");
    }

    /** Not even the events of its own first restore make it look at the kernel again. */
    @Test
    void anIdleAgentStartsNoProcesses() throws InterruptedException {
        startAgent();
        Thread.sleep(IDLE.toMillis()); // the span observed, not a wait for something to happen
        assertThat(processes.started()).isEqualTo(processesAtTheFirstApply());
        assertThat(events).isEmpty();
    }

    @Test
    void changesToTheOtherFamilyStartNoProcesses() throws InterruptedException, IOException {
        family = Family.IPV6;
        Files.writeString(file, FIREWALL.replace("192.0.2.0/24", "2001:db8::/32"));
        startAgent();
        shell("iptables -A INPUT -j ACCEPT && iptables -N OTHER");
        int before = processesAtTheFirstApply() + 1; // the shell's
        Thread.sleep(IDLE.toMillis()); // the span observed: longer than the agent waits for quiet
        assertThat(processes.started()).isEqualTo(before);
        shell("ip6tables -D SSH 1");
        assertThat(next().kind()).isEqualTo(AgentEvent.Kind.REPAIRED);
        assertThat(rulesOf("SSH")).containsExactly("-A SSH -s 2001:db8::/32 -j ACCEPT", "-A SSH -j DROP");
    }

    /** How many processes had been started when the first apply was reported. */
    private int processesAtTheFirstApply() {
        return startedAtEvent.get(1); // the APPLIED event, after STARTED
    }

    /** The quick way's write is the only process: its own events list nothing, and the full reading that follows writes nothing. */
    @Test
    void aRuleChangedInPlaceStartsOnlyItsRestore() throws IOException, InterruptedException {
        startAgent();
        Thread.sleep(IDLE.toMillis()); // the span observed: the first apply's events come and go
        int before = processes.started();
        edit(FIREWALL.replace("-A SSH -j DROP", "-A SSH -j REJECT"));
        nextIsAnApplyOfOneRule();
        Thread.sleep(READ_QUIET.plus(IDLE).toMillis()); // the span observed, the full reading in it
        assertThat(processes.started() - before).as("processes since the edit").isEqualTo(1);
        assertThat(events).isEmpty();
        assertThat(rulesOf("SSH")).containsExactly("-A SSH -s 192.0.2.0/24 -j ACCEPT",
                "-A SSH -j REJECT --reject-with icmp-port-unreachable");
    }

    /**
     * A repair lists the chain the deletion's events name, and its rules' handles, and restores
     * it; its own events list nothing more. A deletion there once more is taken out of the view by
     * its handle: only the handles are listed, not the rules.
     */
    @Test
    void aRepairListsTheChangedChainOnceAndWritesOnce() throws InterruptedException {
        startAgent();
        Thread.sleep(IDLE.toMillis()); // the span observed: the first apply's events come and go
        int beforeTheDeletion = processes.started();
        shell("iptables -D SSH 1"); // the agent may be listing before the shell is seen to end
        assertThat(next().kind()).isEqualTo(AgentEvent.Kind.REPAIRED);
        Thread.sleep(IDLE.toMillis()); // the span observed
        assertThat(processes.started() - beforeTheDeletion)
                .as("the shell, a listing of the rules and one of their handles, a restore, a listing of the handles it left")
                .isEqualTo(5);
        assertThat(rulesOf("SSH")).containsExactly("-A SSH -s 192.0.2.0/24 -j ACCEPT", "-A SSH -j DROP");

        int beforeTheNext = processes.started();
        shell("iptables -D SSH 2");
        assertThat(next().kind()).isEqualTo(AgentEvent.Kind.REPAIRED);
        Thread.sleep(IDLE.toMillis()); // the span observed
        assertThat(processes.started() - beforeTheNext)
                .as("the shell, a listing of the handles, a restore, a listing of the handles it left").isEqualTo(4);
        assertThat(rulesOf("SSH")).containsExactly("-A SSH -s 192.0.2.0/24 -j ACCEPT", "-A SSH -j DROP");
    }

    /**
     * Seeded random sequences of edits of the file (rules changed in place, added, removed, a
     * mistake and its fix) and of the kernel (Rampart's rules deleted, others inserted, the policy
     * changed, other programs' chains): after each, the kernel comes to hold what a fresh apply of
     * the file's last good version leaves, and other programs' chains are left as they are.
     */
    @Test
    void randomEditsOfTheFileAndTheKernelLeaveItAsAFreshApplyWould() throws Exception {
        long seed = Long.getLong("property.seed", System.nanoTime());
        Random random = new Random(seed);
        List<List<String>> chains = new ArrayList<>();
        for (int chain = 0; chain < 4; chain++) {
            chains.add(new ArrayList<>(List.of("-s 10.0." + chain + ".0/24 -j ACCEPT", "-j DROP")));
        }
        Files.writeString(file, ruleset(chains));
        startAgent();
        DesiredState good = read();
        int foreign = 0;
        for (int step = 0; step < 16; step++) {
            String context = "seed " + seed + ", step " + step;
            List<String> rules = chains.get(random.nextInt(chains.size()));
            String rule = "-s 10." + random.nextInt(256) + ".0.0/16 -p tcp --dport " + (1 + random.nextInt(9999))
                    + " -j " + (random.nextBoolean() ? "ACCEPT" : "DROP");
            switch (random.nextInt(7)) {
                case 0, 1 -> rules.set(random.nextInt(rules.size()), rule);
                case 2 -> rules.add(random.nextInt(rules.size() + 1), rule);
                case 3 -> {
                    String text = ruleset(chains);
                    edit(text.replace("-j DROP\n", "--dprot 1 -j DROP\n"));
                    awaitEvent(AgentEvent.Kind.FILE_ERROR, context);
                }
                case 4 -> shell("iptables -D R" + random.nextInt(chains.size()) + " 1");
                case 5 -> shell("iptables -I R" + random.nextInt(chains.size()) + " 1 -s 192.0.2.1 -j DROP; "
                        + "iptables -P INPUT " + (random.nextBoolean() ? "DROP" : "ACCEPT"));
                default -> shell("iptables -N F" + foreign + " && iptables -A F" + foreign
                        + " -j RETURN && iptables -A FORWARD -j F" + foreign++);
            }
            if (!Files.readString(file).equals(ruleset(chains))) {
                edit(ruleset(chains));
                good = read();
            }
            DesiredState expected = good;
            Eventually.await("the kernel as a fresh apply leaves it, " + context, PATIENCE,
                    () -> freshApplyChangesNothing(expected));
            for (int f = 0; f < foreign; f++) {
                assertThat(rulesOf("F" + f)).as(context).containsExactly("-A F" + f + " -j RETURN");
            }
        }
        Thread.sleep(READ_QUIET.plus(IDLE).toMillis()); // the span observed: the last full reading in it
        assertThat(freshApplyChangesNothing(good)).as("seed " + seed + ", after the last full reading").isTrue();
    }

    /** INPUT jumping to each chain of {@code chains}, which hold those rules. */
    private static String ruleset(List<List<String>> chains) {
        StringBuilder text = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n");
        for (int chain = 0; chain < chains.size(); chain++) {
            text.append(":R").append(chain).append(" - [0:0]\n");
        }
        for (int chain = 0; chain < chains.size(); chain++) {
            text.append("-A INPUT -p tcp --dport ").append(100 + chain).append(" -j R").append(chain).append('\n');
            for (String rule : chains.get(chain)) {
                text.append("-A R").append(chain).append(' ').append(rule).append('\n');
            }
        }
        return text.append("COMMIT\n").toString();
    }

    private boolean freshApplyChangesNothing(DesiredState desired) {
        try {
            return new Reconciler(new SystemXtables(netns), StandardExtensions.registry()).plan(desired).isEmpty();
        } catch (PlanException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Takes events until one of {@code kind}. */
    private void awaitEvent(AgentEvent.Kind kind, String context) {
        AgentEvent event = next();
        while (event.kind() != kind) {
            event = next();
        }
        assertThat(event.kind()).as(context).isEqualTo(kind);
    }

    @Test
    void pollingRepairsDrift() {
        startAgent(new KernelWatch.Polling(Duration.ofMillis(200)));
        shell("iptables -P INPUT DROP");
        AgentEvent repaired = next();
        assertThat(repaired.kind()).isEqualTo(AgentEvent.Kind.REPAIRED);
        assertThat(new Iptables(netns, family).save()).contains(":INPUT ACCEPT");
    }

    @Test
    void stopsOnRequestAndEndsTheMonitor() throws InterruptedException {
        startAgent();
        assertThat(processesInNamespace()).isNotEmpty();
        agent.stop();
        thread.join(PATIENCE.toMillis());
        assertThat(thread.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        assertThat(next().kind()).isEqualTo(AgentEvent.Kind.STOPPED);
        assertThat(processesInNamespace()).isEmpty();
        agent = null;
    }

    private String processesInNamespace() {
        return processes.run(List.of("ip", "netns", "pids", netns.name().orElseThrow()), "").stdout().strip();
    }
}
