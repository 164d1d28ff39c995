package io.rampart.cli;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.ApplyException;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.Plan;
import io.rampart.reconcile.PlanException;
import io.rampart.reconcile.Reconciler;
import io.rampart.system.Netns;
import io.rampart.system.SystemException;
import io.rampart.system.SystemXtables;
import io.rampart.system.agent.Agent;
import io.rampart.system.agent.AgentEvent;
import io.rampart.system.agent.SyncStats;
import io.rampart.system.agent.DesiredFile;
import io.rampart.system.agent.InvalidFileException;
import io.rampart.system.agent.KernelWatch;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Runs the {@link Agent} on a file until SIGTERM or SIGINT, logging each event. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Keep the kernel converged to FILE: apply it, re-apply it when it changes, and repair drift"
                + " as it happens; the files it includes are watched too. On nf_tables the kernel's change events are watched (nft monitor); on legacy"
                + " iptables the kernel is compared every --interval.",
                "A file that no longer parses is reported and the last good version stays enforced."
                        + " Each event is logged on stderr (--json: one JSON object per line on stdout)."
                        + " Stops on SIGTERM or SIGINT with exit code 0."})
final class AgentCommand implements Callable<Integer> {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)?");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    @Mixin
    KernelOptions options;

    @Mixin
    WriterWait writerWait;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "A ruleset in iptables-save format.")
    Path file;

    @Mixin
    FleetCommands.AgentOptions fleet;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "5s",
            description = "On legacy iptables, how often to compare with the kernel, e.g. 5s, 500ms, 1m"
                    + " (default: ${DEFAULT-VALUE}).")
    String interval;

    @Spec
    CommandSpec spec;

    /** The family the agent keeps converged, known once the file is first read. */
    private Family enforced;

    /** One event as --json prints it. */
    record JsonEvent(String event, String time, String file, String summary, List<String> chains,
                     List<Plan.ChainChange> changes, String message) {
    }

    @Override
    public Integer call() {
        Duration every = parseInterval(interval);
        if (fleet.given() || file == null) {
            return FleetRunner.agent(file, fleet, options, every, spec.commandLine());
        }
        try (Netns netns = options.namespace()) {
            NetnsValueResolver resolver = new NetnsValueResolver(netns);
            AtomicReference<FirstReading> first = new AtomicReference<>(
                    FirstReading.of(file, options, resolver, spec.commandLine().getErr()));
            Family family = onlyFamily(first.get().states());
            enforced = family;
            DesiredFile desired = desiredFile(family, resolver, first);
            Agent agent = new Agent(file, desired, NameDatabase.system(), new Reconciler(new SystemXtables(netns,
                    writerWait.waiting(spec.commandLine().getErr(), options.json)),
                    StandardExtensions.registry()), KernelWatch.detect(netns, family, every), this::log,
                    SyncStats.writingTo(SyncStats.fileOf(Path.of(SyncStats.ROOT), options.netns, family)));
            runUntilSignalled(agent::stop, agent::run);
        } catch (InvalidFileException e) {
            throw new InputException(e.getMessage());
        } catch (PlanException e) {
            throw new InputException(file + ": " + e.getMessage());
        } catch (ApplyException e) {
            throw new SystemException(e.getMessage());
        }
        return ExitCode.OK;
    }

    /**
     * The file as the agent reads it, each time through the language, the first time by taking
     * {@code first}, the reading that found the family, when nothing it read has changed since.
     */
    private DesiredFile desiredFile(Family family, NetnsValueResolver resolver, AtomicReference<FirstReading> first) {
        Set<Path> firstInputs = first.get().inputs();
        String firstWarnings = first.get().warnings();
        return new DesiredFile() {
            private volatile Set<Path> inputs = firstInputs;
            /** The warnings of the last reading: a reading that finds the same ones again does not repeat them. */
            private volatile String warned = firstWarnings;

            @Override
            public DesiredState read() throws InvalidFileException {
                FirstReading taken = first.getAndSet(null); // not held on to: a state of 100,000 rules is large
                if (taken != null && taken.unchanged()) {
                    return taken.states().get(family);
                }
                String before = warned;
                warned = "";
                DesiredState state = RulesetFiles.desiredWarning(file, options, resolver, warnings -> {
                    warned = warnings;
                    if (!warnings.equals(before)) {
                        PrintWriter err = spec.commandLine().getErr();
                        err.print(warnings);
                        err.flush();
                    }
                }, read -> inputs = read).get(family);
                if (state == null) {
                    throw new InvalidFileException(file + ": no longer has a table for " + family.command());
                }
                return state;
            }

            @Override
            public Set<Path> inputs() {
                return inputs;
            }
        };
    }

    /**
     * The command's reading of the file, which tells the family to enforce; the agent's first
     * reading is this one, not a second of seconds at 100,000 rules, while what it read is as it was.
     *
     * @param contents the bytes of the file taken before the reading, and of every input after it
     */
    private record FirstReading(Map<Family, DesiredState> states, Set<Path> inputs, String warnings,
                                Map<Path, byte[]> contents) {

        static FirstReading of(Path file, KernelOptions options, NetnsValueResolver resolver, PrintWriter err) {
            Map<Path, byte[]> before = DesiredFile.contentsOf(Set.of(file));
            AtomicReference<Set<Path>> inputs = new AtomicReference<>(Set.of());
            AtomicReference<String> warned = new AtomicReference<>("");
            Map<Family, DesiredState> states = RulesetFiles.desiredWarning(file, options, resolver, warnings -> {
                warned.set(warnings);
                err.print(warnings);
                err.flush();
            }, inputs::set);
            Set<Path> read = new HashSet<>(inputs.get());
            read.add(file);
            Map<Path, byte[]> contents = new HashMap<>(DesiredFile.contentsOf(read));
            if (!Arrays.equals(before.get(file), contents.get(file))) {
                contents.clear(); // changed while it was read: the agent reads again
            }
            return new FirstReading(states, Set.copyOf(inputs.get()), warned.get(), contents);
        }

        /** Whether everything the reading depended on still holds the bytes it was read from. */
        boolean unchanged() {
            Map<Path, byte[]> now = DesiredFile.contentsOf(contents.keySet());
            return !contents.isEmpty() && contents.keySet().containsAll(inputs)
                    && contents.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), now.get(e.getKey())));
        }
    }

    /** An agent's loop, which returns once stopped. */
    @FunctionalInterface
    interface AgentLoop {
        void run() throws InvalidFileException, PlanException, ApplyException;
    }

    /** Runs the agent's {@code loop} on this thread until SIGTERM or SIGINT calls {@code stop}; the command then returns 0. */
    static void runUntilSignalled(Runnable stop, AgentLoop loop) throws InvalidFileException, PlanException,
            ApplyException {
        try (StopSignals signals = StopSignals.handle(stop)) {
            loop.run();
        }
    }

    /** The agent keeps one family converged: a file for both needs -4 or -6, and one agent for each. */
    private Family onlyFamily(Map<Family, DesiredState> desired) {
        if (desired.size() > 1) {
            throw new InputException(file + ": has tables for iptables and ip6tables; an agent enforces one family:"
                    + " run one with -4 and one with -6");
        }
        return desired.keySet().iterator().next();
    }

    static Duration parseInterval(String text) {
        Matcher matcher = DURATION.matcher(text.strip());
        if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
            throw new InputException("--interval: `" + text + "' is not a positive duration: write e.g. 5s, 500ms"
                    + " or 1m");
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    private void log(AgentEvent event) {
        String time = OffsetDateTime.ofInstant(event.time(), ZoneId.systemDefault()).format(TIME);
        if (options.json) {
            Plan plan = event.plan();
            PrintWriter out = spec.commandLine().getOut();
            out.println(Json.line(new JsonEvent(event.kind().label(), time, file.toString(),
                    plan == null ? null : PlanText.summary(plan), plan == null ? null : chains(plan),
                    plan == null ? null : plan.changes(), event.message())));
            out.flush();
        } else {
            PrintWriter err = spec.commandLine().getErr();
            err.println(time + " " + event.kind().label() + ": " + describe(event));
            err.flush();
        }
    }

    /** The event in one line: what changed and in which chains, or what went wrong. */
    private String describe(AgentEvent event) {
        Plan plan = event.plan();
        return switch (event.kind()) {
            case STARTED -> "enforcing " + file + " (" + enforced.name().toLowerCase(Locale.ROOT)
                    + (options.netns == null ? "" : ", netns " + options.netns) + "); " + event.message();
            case APPLIED -> file + ": " + (plan.isEmpty() ? "nothing to change" : changed(plan));
            case REPAIRED -> changed(plan);
            case FILE_ERROR -> event.message().lines().findFirst().orElse("") + "; the last good version stays enforced";
            case KERNEL_REFUSED -> event.message().lines().findFirst().orElse("");
            case STOPPED -> "stopped watching " + file;
        };
    }

    private static String changed(Plan plan) {
        return PlanText.summary(plan) + " in " + String.join(", ", plan.changes().stream()
                .map(c -> c.table().label() + " " + c.chain()
                        + (c.policyChanges() ? " (policy " + c.policyBefore() + " -> " + c.policyAfter() + ")" : ""))
                .toList());
    }

    private static List<String> chains(Plan plan) {
        return plan.changes().stream().map(c -> c.table().label() + " " + c.chain()).toList();
    }
}
