package io.rampart.api;

import io.rampart.config.Diagnostic;
import io.rampart.config.DiagnosticPrinter;
import io.rampart.config.FamilyRuleset;
import io.rampart.config.IncludePolicy;
import io.rampart.config.RulesetSource;
import io.rampart.config.ValueResolver;
import io.rampart.config.SourceRef;
import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extension.Suggestions;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.Plan;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import io.rampart.system.WriterLock;
import io.rampart.trace.Assumptions;
import io.rampart.trace.CompiledRuleset;
import io.rampart.trace.PacketSpec;
import io.rampart.trace.Tracer;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Runs the commands the command line and the HTTP API share, on one namespace (or the host) and,
 * for {@code status}, one ruleset file. Ruleset text comes in requests, never paths: the only file
 * it reads is the one it was made with.
 */
public final class RampartService {

    /** A request must not read the server's files: its text may not include any. */
    static final IncludePolicy REQUEST_INCLUDES = IncludePolicy.refuse(
            "includes are not allowed in request text: a request must not read the server's files");

    /** The name ruleset text from a request has in messages, where a file would have its path. */
    public static final String REQUEST_SOURCE = "request";

    private final String netns;
    private final Family family;
    private final Path file;
    private final ProcessRunner runner;
    private final Function<Netns, ValueResolver> resolvers;
    private final String timerMain;
    private final HostNames names;
    private final LiveRulesets liveRules;

    /**
     * @param netns     the namespace to work in, or null for the host's rules
     * @param family    the family of requests and of the file when they do not name one
     * @param file      the ruleset file {@code status} compares with, or null
     * @param names     the names rules, packets and the kernel's text are read with
     * @param resolvers looks up the file's apply-time values in a namespace; null to check them for form only
     * @param timerMain the class whose {@code main} runs the {@value Confirmations#TIMER} command for an
     *                  apply awaiting confirmation; null refuses such applies
     */
    public RampartService(String netns, Family family, Path file, ProcessRunner runner, HostNames names,
                          Function<Netns, ValueResolver> resolvers, String timerMain) {
        this.netns = netns;
        this.family = family;
        this.file = file;
        this.runner = runner;
        this.names = names;
        this.resolvers = resolvers;
        this.timerMain = timerMain;
        this.liveRules = new LiveRulesets(names);
        namespace(runner).close(); // a missing namespace is refused now, not at the first request
    }

    /** A service that cannot roll back by itself: applies awaiting confirmation are refused. */
    public RampartService(String netns, Family family, Path file, ProcessRunner runner, HostNames names,
                          Function<Netns, ValueResolver> resolvers) {
        this(netns, family, file, runner, names, resolvers, null);
    }

    /** A service whose file, if any, has no apply-time values to look up. */
    public RampartService(String netns, Family family, Path file, ProcessRunner runner, HostNames names) {
        this(netns, family, file, runner, names, null);
    }

    public Family family() {
        return family;
    }

    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    public Optional<String> netns() {
        return Optional.ofNullable(netns);
    }

    Netns namespace(ProcessRunner processes) {
        return netns == null ? Netns.host(processes) : Netns.existing(netns, processes);
    }

    /** The kernel's ruleset of the family with counters, rules pointing into the file when it has them. */
    public LiveRulesetResult live(String familyName) {
        return snapshot(family(familyName)).result();
    }

    /**
     * The live ruleset's chains and jumps, with counts and counters but without the rules. Like
     * {@link #search}, it answers from the last look at the kernel while the kernel reports no change
     * of rules, so a large ruleset is not read again for each view; its counters are at most a few
     * seconds old.
     */
    public RulesetOutline outline(String familyName) {
        return RulesetOutline.of(view(family(familyName)));
    }

    /**
     * The rules of one live chain with their counters and file lines: the rules from the last look,
     * the counters of this chain read now.
     */
    public ChainRulesResult chain(String familyName, String tableName, String chainName) {
        Family chosen = family(familyName);
        if (tableName == null || chainName == null) {
            throw new Failure(Failure.Category.INPUT, "name the chain: table=TABLE&chain=NAME");
        }
        LiveRulesets.Snapshot snapshot = view(chosen);
        LiveRulesets.LiveTable table = table(snapshot, tableName);
        LiveRulesets.LiveChain chain = chain(snapshot, table, chainName);
        Optional<LiveRulesetResult.ChainView> counted;
        try (Netns ns = namespace(runner)) {
            counted = liveRules.counted(ns, snapshot, table, chain);
        }
        if (counted.isEmpty()) {
            // The chain changed since the last look, before the kernel's report of it arrived: look again.
            liveRules.forget();
            snapshot = snapshot(chosen);
            table = table(snapshot, tableName);
            counted = Optional.of(snapshot.view(table, chain(snapshot, table, chainName)));
        }
        return new ChainRulesResult(chosen.name().toLowerCase(Locale.ROOT), snapshot.parsed().file(), tableName,
                counted.get());
    }

    private static LiveRulesets.LiveTable table(LiveRulesets.Snapshot snapshot, String name) {
        return snapshot.tables().stream().filter(t -> t.label().equals(name)).findFirst()
                .orElseThrow(() -> new Failure(Failure.Category.INPUT, "no table `" + name + "' in the live "
                        + snapshot.parsed().family().command() + " ruleset"));
    }

    private static LiveRulesets.LiveChain chain(LiveRulesets.Snapshot snapshot, LiveRulesets.LiveTable table,
                                                String name) {
        return table.chains().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> Failure.input("no chain `" + name + "' in table " + table.label(),
                        Suggestions.hint(name, table.chains().stream().map(LiveRulesets.LiveChain::name).toList())));
    }

    /** Chains and rules of the live ruleset found by name, text, address, port or {@code file:line}. */
    public SearchResult search(String familyName, String query, String limit) {
        return RuleSearch.search(view(family(familyName)), query, limit);
    }

    /** The kernel reported a change of rules: the next view reads them again. */
    void liveChanged() {
        liveRules.forget();
    }

    /** Reads the live rules of the server's family now, so that the first view of them need not wait. */
    void readLive() {
        snapshot(family);
    }

    private LiveRulesets.Snapshot view(Family chosen) {
        return liveRules.recent(chosen, () -> snapshot(chosen));
    }

    /** The live rules of the family, parsed again only when they or the file changed. */
    private LiveRulesets.Snapshot snapshot(Family chosen) {
        try (Netns ns = namespace(runner)) {
            return liveRules.read(ns, chosen, fileStamp(), () -> desiredOfFile(ns, chosen));
        }
    }

    /** Tells one version of the file from another (or its absence), for the parsed rules that point into it. */
    private String fileStamp() {
        if (file == null) {
            return "";
        }
        try {
            return Files.getLastModifiedTime(file) + " " + Files.size(file);
        } catch (java.io.IOException e) {
            return "unreadable"; // reading it says why, when the rules are parsed
        }
    }

    /** Every extension, or those named {@code name} (a match and a target may share a name). */
    public ExtensionsResult extensions(String name) {
        return Extensions.describe(Extensions.named(name));
    }

    public CheckResult check(RulesetRequest request) {
        String text = text(request);
        Family chosen = family(request.family());
        try (Netns ns = namespace(runner)) {
            Checked checked = checked(REQUEST_SOURCE, text, chosen, resolver(ns), names);
            if (!checked.errors().isEmpty()) {
                return new CheckResult(false, checked.findings());
            }
            // As the command line's check: with the warnings about rules that never matter.
            RulesetSource read = checked.read();
            DiagnosticPrinter printer = new DiagnosticPrinter(read.files());
            return new CheckResult(true, DeadRuleWarnings.with(read).stream().map(d -> finding(d, printer)).toList());
        }
    }

    /** Ruleset text read through the language (null when it could not be read) and what is wrong with it. */
    record Checked(RulesetSource read, List<CheckResult.Finding> findings) {
        List<CheckResult.Finding> errors() {
            return findings.stream().filter(CheckResult.Finding::isError).toList();
        }
    }

    /**
     * The text read through the ruleset language, as FILE is read but without includes, and
     * checked as a whole. The one place that decides what is wrong with ruleset text, so that
     * check, plan and apply agree.
     */
    static Checked checked(String source, String text, Family family, Optional<ValueResolver> resolver,
                           HostNames names) {
        RulesetSource read = RulesetSource.loadText(source, text, family, StandardExtensions.registry(), resolver,
                REQUEST_INCLUDES, names);
        DiagnosticPrinter printer = new DiagnosticPrinter(read.files());
        return new Checked(read, read.diagnostics().stream().map(d -> finding(d, printer)).toList());
    }

    private static CheckResult.Finding finding(Diagnostic diagnostic, DiagnosticPrinter printer) {
        SourceRef where = diagnostic.where();
        return new CheckResult.Finding(diagnostic.isError() ? "error" : "warning", where.line(), where.column(),
                diagnostic.message(), diagnostic.hint().orElse(null), printer.print(diagnostic).stripTrailing());
    }

    /** Rule lines, or rules given as data, in the kernel's canonical spelling, each with its rule model. */
    public CanonResult canon(CanonRequest request) {
        Family chosen = family(request.family());
        Table table = Canon.table(request.table() == null ? "filter" : request.table());
        if ((request.text() == null) == (request.rules() == null)) {
            throw new Failure(Failure.Category.INPUT, "give the rules as \"text\" or as \"rules\", one of them");
        }
        Canon canon = new Canon(chosen, table, names);
        // Rules given as data are printed and read back, so they are checked exactly as text is.
        List<String> lines = request.text() != null ? request.text().lines().toList()
                : request.rules().stream().map(canon::print).toList();
        List<CanonLine> results = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            results.add(canon.line(i + 1, lines.get(i)));
        }
        return new CanonResult(results.stream().allMatch(r -> r.error() == null), results);
    }

    /** What applying the text would change now. */
    public Plan plan(RulesetRequest request) {
        String text = text(request);
        Family chosen = family(request.family());
        try (Reconciliation kernel = Reconciliation.open(netns, runner, names)) {
            return kernel.plan(desired(REQUEST_SOURCE, text, chosen, resolver(kernel.netns())));
        }
    }

    /**
     * Brings the kernel to the text: one iptables-restore, and only when something differs. With
     * {@code confirm}, the rules before roll back unless {@link #confirm} runs within that time.
     */
    public ApplyResult apply(RulesetRequest request) {
        Family chosen = family(request.family());
        Duration window = request.confirm() == null ? null : SafeApply.window("confirm", request.confirm());
        // The server's own SSH session, if any, is not the client's: the confirmation is the client's guard.
        Reconciliation.Safety safety = new Reconciliation.Safety(window, null, timerMain);
        String text = text(request);
        try (Reconciliation kernel = Reconciliation.open(netns, runner, names)) {
            Reconciliation.Applied applied = kernel.apply(desired(REQUEST_SOURCE, text, chosen,
                    resolver(kernel.netns())), safety);
            liveRules.forget();
            return ApplyResult.of(applied, kernel.processes(), applied.armed()
                    .map(state -> ApplyResult.Confirmation.requests(state, target(chosen))).orElse(null));
        }
    }

    /** The pending confirmation of the family, while an apply awaits it. */
    public Optional<PendingConfirmation.State> pending(String familyName) {
        return PendingConfirmation.of(target(family(familyName))).state();
    }

    /** Keeps the rules of the apply awaiting confirmation: its rollback timer stops. */
    public ConfirmResult confirm(String familyName) {
        Family chosen = family(familyName);
        PendingConfirmation.State state = Reconciliation.confirm(target(chosen), runner);
        return new ConfirmResult("confirmed", state.source(), netns, chosen.name().toLowerCase(Locale.ROOT));
    }

    /** Rolls the apply awaiting confirmation back now, to the rules before it. */
    public ConfirmResult rollback(String familyName) {
        Family chosen = family(familyName);
        PendingConfirmation.State state = Reconciliation.rollback(target(chosen), "rolled back through the API",
                runner, WriterLock.Waiting.standard());
        liveRules.forget();
        return new ConfirmResult("rolled-back", state.source(), netns, chosen.name().toLowerCase(Locale.ROOT));
    }

    /**
     * How the last confirmation of the family ended, whoever ended it (this server, the command line
     * or the timer): {@code confirmed} or {@code rolled-back}, as the confirmation recorded it.
     */
    public String lastEnding(String familyName) {
        return PendingConfirmation.of(target(family(familyName))).lastEnding().event();
    }

    private PendingConfirmation.Target target(Family chosen) {
        return new PendingConfirmation.Target(netns, chosen);
    }

    /** Whether the kernel holds the file the service was made with. */
    public StatusResult status() {
        if (file == null) {
            throw new Failure(Failure.Category.USAGE,
                    "status compares with a ruleset file: start the server with FILE");
        }
        try (Reconciliation kernel = Reconciliation.open(netns, runner, names)) {
            RulesetSource source = readFile(kernel.netns());
            DesiredState desired = RulesetFile.desired(file, source, Optional.of(family)).get(family);
            if (desired == null) {
                throw RulesetFile.noTableFor(file, family, source);
            }
            return kernel.status(desired);
        }
    }

    /** Follows a packet through the live ruleset of the family, on the live host's addresses and routes. */
    public TraceResult trace(TraceRequest request) {
        Family chosen = family(request.family());
        PacketSpec spec = new PacketSpec(names);
        request.packet().forEach((key, value) -> {
            if (!PacketSpec.KEYS.contains(key)) {
                throw new Failure(Failure.Category.INPUT, "unknown key `" + key + "': use "
                        + String.join(", ", new java.util.TreeSet<>(PacketSpec.KEYS)));
            }
            spec.set(key, value == null || value.isBlank() ? null : value);
        });
        try (Netns ns = namespace(runner)) {
            CompiledRuleset ruleset = CompiledRuleset.of(LiveRulesets.parse(ns, chosen, names).ruleset());
            Tracer tracer = new Tracer(ruleset, LiveHost.read(ns, chosen), Assumptions.parse(request.assume()),
                    request.explain());
            return new TraceResult(tracer.trace(spec.build(chosen)), request.explain(), names);
        }
    }

    /**
     * The file's desired state for {@code chosen}, read through the ruleset language as the command
     * line reads it; empty without a file, or when the file has no table for the family.
     */
    private Optional<DesiredState> desiredOfFile(Netns ns, Family chosen) {
        if (file == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(RulesetFile.desired(file, readFile(ns), Optional.of(chosen)).get(chosen));
    }

    /** The file read through the ruleset language, or refused with every error it has. */
    private RulesetSource readFile(Netns ns) {
        if (!Files.isReadable(file)) {
            throw new Failure(Failure.Category.INPUT, file + ": no such file");
        }
        return RulesetFile.checked(file, family, resolver(ns), names, warnings -> { }, inputs -> { });
    }

    private DesiredState desired(String source, String text, Family family,
                                        Optional<ValueResolver> resolver) {
        Checked checked = checked(source, text, family, resolver, names);
        if (!checked.errors().isEmpty()) {
            throw new Failure(Failure.Category.INPUT, String.join("\n",
                    checked.errors().stream().map(CheckResult.Finding::located).toList()));
        }
        FamilyRuleset ruleset = checked.read().families().get(family);
        if (ruleset == null) {
            throw new Failure(Failure.Category.INPUT, source + ": has no table for " + family.command()
                    + ": give \"family\" for the tables it has");
        }
        return DesiredState.of(ruleset.ruleset(), StandardExtensions.registry(), source, ruleset::location);
    }

    /** Looks up apply-time values ({@code @addr}, {@code @host}) in the namespace, as for FILE. */
    private Optional<ValueResolver> resolver(Netns ns) {
        return Optional.ofNullable(resolvers).map(r -> r.apply(ns));
    }

    private static String text(RulesetRequest request) {
        if (request == null || request.text() == null) {
            throw new Failure(Failure.Category.INPUT, "the request needs the ruleset's \"text\"");
        }
        return request.text();
    }

    /** {@code ipv4} or {@code ipv6} (also {@code 4}, {@code 6}); null is the service's family. */
    Family family(String name) {
        if (name == null || name.isBlank()) {
            return family;
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "ipv4", "4" -> Family.IPV4;
            case "ipv6", "6" -> Family.IPV6;
            default -> throw new Failure(Failure.Category.INPUT,
                    "family must be ipv4 or ipv6, not `" + name + "'");
        };
    }

}
