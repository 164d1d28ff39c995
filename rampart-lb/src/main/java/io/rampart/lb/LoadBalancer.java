package io.rampart.lb;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.reconcile.ApplyException;
import io.rampart.reconcile.CheckedXtables;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.LiveState;
import io.rampart.reconcile.Plan;
import io.rampart.reconcile.PlanException;
import io.rampart.reconcile.Reconciler;
import io.rampart.reconcile.Rollback;
import io.rampart.reconcile.Xtables;
import io.rampart.syntax.SavedState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * IPTLB's operations on Rampart. Every input is checked before anything is written; the rules of all
 * applied profiles of a family form one desired state, brought to the kernel in one atomic restore;
 * the families of one invocation are changed all or none, and the state file is replaced only after
 * the kernel accepted the change.
 *
 * <p>Which profiles are applied is the kernel's to say: a profile is applied when its chain exists.
 * A profile saved without {@code -run} so stays out of the kernel until it is run itself or with
 * {@code -use-state -run}, and a profile deleted without {@code -run} leaves with the next run.
 */
public final class LoadBalancer {


    private final LbHost host;
    private final Path stateFile;
    private final LbRules rules;
    private final ExtensionRegistry registry;
    private final Reconciler reconciler;

    public LoadBalancer(LbHost host, ExtensionRegistry registry, Path stateFile) {
        this.host = host;
        this.stateFile = stateFile;
        this.rules = new LbRules(registry);
        this.registry = registry;
        this.reconciler = new Reconciler(host.xtables(), registry);
    }

    /**
     * What an invocation changes: the profiles the state file will hold, those to put into the kernel
     * even if it does not hold them yet, and the address families to reconcile.
     */
    private record Change(Map<String, Profile> next, Set<String> toApply, Set<Family> families,
                          List<String> messages) {
    }

    /** Carries out one invocation. */
    public LbResult execute(Request request) throws LbException, PlanException, ApplyException, IOException {
        checkFlags(request);
        Map<String, Profile> state = StateFile.read(stateFile);
        Change change = change(request, state);
        boolean changed = !change.next().equals(state);
        List<String> messages = new ArrayList<>(change.messages());
        if (!request.run()) {
            if (changed) {
                StateFile.write(stateFile, change.next());
            }
            messages.add((changed ? "saved " : "nothing to save in ") + stateFile
                    + "; the kernel is unchanged (add -run to apply)");
            return new LbResult(messages, List.of(), changed);
        }
        // Which profiles are applied is read from the kernel, so no other writer may come between the
        // reads and the writes (or the undo) of every family.
        List<Xtables.Hold> held = new ArrayList<>();
        try {
            for (Family family : change.families()) {
                held.add(host.xtables().hold(family));
            }
            return applyHeld(request, change, messages, changed);
        } finally {
            for (int i = held.size() - 1; i >= 0; i--) {
                held.get(i).close();
            }
        }
    }

    private LbResult applyHeld(Request request, Change change, List<String> messages, boolean changed)
            throws PlanException, ApplyException, IOException {
        // Every family is planned before any is written, so a plan that fails changes nothing.
        Map<Family, DesiredState> desired = new LinkedHashMap<>();
        Set<Family> proxying = EnumSet.noneOf(Family.class);
        for (Family family : change.families()) {
            LiveState live = LiveState.parse(host.xtables().save(family));
            Set<String> liveChains = live.table(Table.NAT).map(t -> t.chains().keySet()).orElse(Set.of());
            List<Profile> wanted = change.next().values().stream().filter(p -> p.family() == family)
                    .filter(p -> change.toApply().contains(p.name()) || liveChains.contains(p.chain())).toList();
            desired.put(family, rules.desired(family, wanted));
            reconciler.plan(desired.get(family));
            if (wanted.stream().anyMatch(p -> p.mode() == Mode.PROXY)) {
                proxying.add(family);
            }
        }
        List<Reconciler.Applied> applied = applyAll(desired);
        if (request.forwarding()) {
            proxying.forEach(host::enableForwarding);
        }
        if (changed) {
            StateFile.write(stateFile, change.next());
        }
        return new LbResult(messages, applied, changed);
    }

    /**
     * Applies each family's desired state: all of them or none. When the kernel refuses a family, the
     * families written before it are rolled back to exactly what they held, and the refusal is thrown.
     */
    private List<Reconciler.Applied> applyAll(Map<Family, DesiredState> desired) throws PlanException,
            ApplyException {
        List<Reconciler.Applied> applied = new ArrayList<>();
        List<Written> written = new ArrayList<>();
        for (Map.Entry<Family, DesiredState> family : desired.entrySet()) {
            // remembers the dump the write it let through was planned from, for the undo
            AtomicReference<String> before = new AtomicReference<>();
            Xtables kernel = new CheckedXtables(host.xtables(), (saved, script, write) -> {
                Xtables.RestoreResult result = write.get();
                if (result.ok()) {
                    before.set(saved);
                }
                return result;
            });
            try {
                applied.add(new Reconciler(kernel, registry).apply(family.getValue()));
            } catch (ApplyException e) {
                if (written.isEmpty()) {
                    throw e;
                }
                undo(written, e);
                throw new ApplyException(e.getMessage() + "; the change to " + written.stream()
                        .map(w -> w.family().command()).collect(Collectors.joining(" and "))
                        + " was undone, so neither family changed");
            }
            Optional.ofNullable(before.get()).ifPresent(dump -> written.add(new Written(family.getKey(), dump,
                    applied.get(applied.size() - 1).plan())));
        }
        return applied;
    }

    /** A family written by this invocation: what it held before, and the plan that changed it. */
    private record Written(Family family, String before, Plan plan) {
    }

    private void undo(List<Written> written, ApplyException refusal) throws ApplyException {
        for (Written family : written) {
            String script = Rollback.script(family.plan(), family.before(), host.xtables().save(family.family()));
            Xtables.RestoreResult result = script.isEmpty() ? new Xtables.RestoreResult(true, "")
                    : host.xtables().restore(family.family(), script);
            if (!result.ok()) {
                throw new ApplyException(refusal.getMessage() + "; and the kernel refused to undo what was applied"
                        + " to " + family.family().command() + ": " + result.message().strip().lines().findFirst()
                        .orElse("") + " (the " + family.family().command() + " nat table keeps the change)");
            }
        }
    }

    private Change change(Request request, Map<String, Profile> state) throws LbException {
        Map<String, Profile> next = new LinkedHashMap<>(state);
        Set<String> toApply = new HashSet<>();
        Set<Family> families = EnumSet.noneOf(Family.class);
        String name = request.profile();
        if (request.useState()) {
            if (state.isEmpty()) {
                throw new LbException("-use-state: " + stateFile + " holds no profiles");
            }
            toApply.addAll(state.keySet());
            state.values().forEach(p -> families.add(p.family()));
            return new Change(next, toApply, families,
                    List.of("profiles in " + stateFile + ": " + String.join(", ", state.keySet())));
        }
        if (request.delete()) {
            Profile old = existing(state, name);
            next.remove(name);
            return new Change(next, toApply, EnumSet.of(old.family()), List.of("deleted profile " + name));
        }
        if (request.source() == null) {
            Profile stored = state.get(name);
            if (stored == null) {
                throw new LbException("-src-addr and -dest-addr are needed: " + stateFile + " has no profile `"
                        + name + "' to apply" + known(state));
            }
            return new Change(next, Set.of(name), EnumSet.of(stored.family()), List.of());
        }
        Profile profile = profile(request);
        Profile old = state.get(name);
        if (old != null && !old.equals(profile) && !request.reset()) {
            throw new LbException("-profile: profile `" + name + "' already exists in " + stateFile
                    + " with other settings; add -reset to replace it");
        }
        checkAgainstOthers(profile, state);
        next.put(name, profile);
        families.add(profile.family());
        if (old != null) {
            families.add(old.family());
        }
        String verb = old == null ? "added" : old.equals(profile) ? "unchanged" : "replaced";
        return new Change(next, Set.of(name), families, List.of(verb + " profile " + name + ": " + describe(profile)));
    }

    /** Every profile in the state file with the counters of its rules. */
    public List<ProfileStatus> status() throws LbException {
        Map<String, Profile> state = StateFile.read(stateFile);
        List<ProfileStatus> statuses = new ArrayList<>();
        Map<Family, Map<String, List<Counted>>> live = new HashMap<>();
        for (Profile profile : state.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList()) {
            Map<String, List<Counted>> chains = live.computeIfAbsent(profile.family(),
                    f -> counted(host.saveNatWithCounters(f)));
            statuses.add(status(profile, chains));
        }
        return statuses;
    }

    private ProfileStatus status(Profile profile, Map<String, List<Counted>> live) {
        DesiredState desired = rules.desired(profile.family(), List.of(profile));
        List<String> expected = LbRules.chainLines(desired, profile);
        List<Counted> chain = live.get(profile.chain());
        String state = chain == null ? "not applied"
                : chain.stream().map(Counted::line).toList().equals(expected) && capturing(desired, profile, live)
                ? "applied" : "drifted";
        List<Integer> weights = profile.destinations().stream().map(Destination::weight).toList();
        List<Double> probabilities = Split.probabilities(weights);
        List<Double> shares = Split.shares(weights);
        int first = profile.logEnabled() ? 1 : 0;
        List<ProfileStatus.BackendStatus> backends = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            Counted counted = null;
            if (chain != null) {
                String line = expected.get(first + i);
                counted = chain.stream().filter(c -> c.line().equals(line)).findFirst().orElse(null);
            }
            backends.add(new ProfileStatus.BackendStatus(profile.destinations().get(i).endpoint().toString(),
                    weights.get(i), shares.get(i), probabilities.get(i),
                    counted == null ? null : counted.packets(), counted == null ? null : counted.bytes()));
        }
        return new ProfileStatus(profile.name(), profile.source().toString(), profile.protocol().label(),
                profile.mode().label(), profile.chain(), state, backends);
    }

    private record Counted(String line, long packets, long bytes) {
    }

    /** Whether the built-in chains hold the profile's jump (and MASQUERADE rule): without them it balances nothing. */
    private static boolean capturing(DesiredState desired, Profile profile, Map<String, List<Counted>> live) {
        DesiredState.DesiredTable nat = desired.table(Table.NAT).orElseThrow();
        return nat.rules().entrySet().stream().filter(e -> !e.getKey().equals(profile.chain()))
                .allMatch(e -> live.getOrDefault(e.getKey(), List.of()).stream().map(Counted::line).toList()
                        .containsAll(e.getValue().stream().map(DesiredState.DesiredRule::line).toList()));
    }

    /** The rules of each chain of an {@code iptables-save -c} dump of the nat table, with their counters. */
    private static Map<String, List<Counted>> counted(String saved) {
        Map<String, List<Counted>> chains = new HashMap<>();
        SavedState.parse(saved).table(Table.NAT).ifPresent(nat -> nat.chains().keySet().forEach(chain -> {
            List<String> rules = nat.rulesOf(chain);
            List<SavedState.Counters> counters = nat.countersOf(chain);
            List<Counted> list = new ArrayList<>();
            for (int i = 0; i < counters.size(); i++) {
                list.add(new Counted(rules.get(i), counters.get(i).packets(), counters.get(i).bytes()));
            }
            chains.put(chain, list);
        }));
        return chains;
    }

    private static void checkFlags(Request request) throws LbException {
        Profile.checkName(request.profile());
        if (request.delete() && request.reset()) {
            throw new LbException("-delete and -reset exclude each other");
        }
        if (request.useState() && (request.source() != null || request.destinations() != null)) {
            throw new LbException("-use-state applies the state file's profiles; it takes no -src-addr or -dest-addr");
        }
        if (request.useState() && (request.delete() || request.reset())) {
            throw new LbException("-use-state applies the state file's profiles; it takes no -delete or -reset");
        }
        if (request.delete() && (request.source() != null || request.destinations() != null)) {
            throw new LbException("-delete takes only -profile (and -run, -state-file)");
        }
        if ((request.source() == null) != (request.destinations() == null)) {
            throw new LbException(request.source() == null ? "-src-addr is missing: give the address to capture"
                    : "-dest-addr is missing: give the addresses to balance to");
        }
    }

    /** The profile the flags define, checked whole. */
    private static Profile profile(Request request) throws LbException {
        Endpoint source = Endpoint.parse(request.source(), "-src-addr");
        List<Destination> destinations = new ArrayList<>();
        for (String destination : request.destinations().split(",", -1)) {
            if (destination.isBlank()) {
                throw new LbException("-dest-addr: empty entry in `" + request.destinations()
                        + "': separate IP:PORT entries by single commas");
            }
            destinations.add(Destination.parse(destination.strip(), "-dest-addr"));
        }
        Mode mode = Mode.parse(request.rulesBackend(), "-rules-backend");
        // Only a proxy masquerades; for the others the flag means nothing and is not kept.
        return Profile.of(request.profile(), source, destinations, Protocol.parse(request.protocol(), "-protocol"),
                mode, request.logEnabled(), Profile.parseLogLevel(request.logLevel()),
                request.masquerade() || mode != Mode.PROXY);
    }

    private void checkAgainstOthers(Profile profile, Map<String, Profile> state) throws LbException {
        for (Profile other : state.values()) {
            if (other.name().equals(profile.name())) {
                continue;
            }
            if (other.capturesSameAs(profile)) {
                throw new LbException("-src-addr: " + profile.source() + " (" + profile.protocol().label()
                        + ") is already balanced by profile `" + other.name() + "'; one profile per address, port"
                        + " and protocol");
            }
            if (other.chain().equals(profile.chain())) {
                throw new LbException("-profile: profile `" + profile.name() + "' would share chain "
                        + profile.chain() + " with profile `" + other.name() + "'; choose another name");
            }
        }
    }

    private Profile existing(Map<String, Profile> state, String name) throws LbException {
        Profile profile = state.get(name);
        if (profile == null) {
            throw new LbException("-profile: " + stateFile + " has no profile `" + name + "'" + known(state));
        }
        return profile;
    }

    private static String known(Map<String, Profile> state) {
        return state.isEmpty() ? "" : " (it has " + String.join(", ", state.keySet()) + ")";
    }

    private static String describe(Profile profile) {
        return profile.source() + " " + profile.protocol().label() + " (" + profile.mode().label() + ") -> "
                + profile.destinations().stream().map(Destination::toString).reduce((a, b) -> a + "," + b)
                .orElse("");
    }
}
