package io.rampart.system.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
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
import java.util.List;
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
                });
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

    @Test
    void anIdleAgentStartsNoProcesses() throws InterruptedException {
        startAgent();
        settled();
        int before = processes.started();
        Thread.sleep(IDLE.toMillis()); // the span observed, not a wait for something to happen
        assertThat(processes.started()).isEqualTo(before);
        assertThat(events).isEmpty();
    }

    @Test
    void changesToTheOtherFamilyStartNoProcesses() throws InterruptedException, IOException {
        family = Family.IPV6;
        Files.writeString(file, FIREWALL.replace("192.0.2.0/24", "2001:db8::/32"));
        startAgent();
        settled();
        shell("iptables -A INPUT -j ACCEPT && iptables -N OTHER");
        int before = processes.started();
        Thread.sleep(IDLE.toMillis()); // the span observed: longer than the agent waits for quiet
        assertThat(processes.started()).isEqualTo(before);
        shell("ip6tables -D SSH 1");
        assertThat(next().kind()).isEqualTo(AgentEvent.Kind.REPAIRED);
        assertThat(rulesOf("SSH")).containsExactly("-A SSH -s 2001:db8::/32 -j ACCEPT", "-A SSH -j DROP");
    }

    /**
     * Waits until the agent's first restore has settled: its own events lead to one more sync
     * (a listing of the chains it wrote) that finds nothing to do.
     */
    private void settled() {
        int afterFirstApply = startedAtEvent.get(1); // the APPLIED event, after STARTED
        Eventually.await("the sync after the agent's own restore", PATIENCE,
                () -> processes.started() > afterFirstApply);
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
