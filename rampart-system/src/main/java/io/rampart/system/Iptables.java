package io.rampart.system;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.syntax.SavedState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The system's iptables / ip6tables programs for one family, in one namespace. */
public final class Iptables {

    /** How long to wait for the xtables lock, in seconds. */
    private static final String LOCK_WAIT_SECONDS = "10";
    /** util-linux's prlimit, which every Debian system has, running a program with no bound on its stack. */
    private static final String[] STACK_UNBOUNDED = {"prlimit", "--stack=unlimited"};

    private final Netns netns;
    private final Family family;

    public Iptables(Netns netns, Family family) {
        this.netns = netns;
        this.family = family;
    }

    public Family family() {
        return family;
    }

    public Netns netns() {
        return netns;
    }

    /** The live ruleset of every table as iptables-save prints it, without its comment lines. */
    public String save() {
        return stripComments(saveWithComments());
    }

    /** iptables-save's output as it is, its comment lines (and warnings in them) included. */
    public String saveWithComments() {
        return checked(save(List.of()), "");
    }

    /** iptables-save -c: every chain's and rule's packet and byte counters, comment lines included. */
    public String saveWithCounters() {
        return checked(save(List.of("-c")), "");
    }

    /**
     * The live ruleset as a packet meets it: {@link #save()} less the built-in chains the kernel
     * does not have. iptables-save prints every built-in chain of a table that exists, but with
     * nf_tables a base chain exists only once something created it (iptables-restore makes only
     * those it is given), and only base chains hook into the packet's path. With the legacy
     * backend, or without {@code nft} to ask, every chain printed is taken to exist.
     */
    public String saveOfExistingChains() {
        String saved = save();
        if (Backend.detect(family) == Backend.LEGACY) {
            return saved;
        }
        ProcessResult chains = netns.run(List.of("nft", "list", "chains", family == Family.IPV4 ? "ip" : "ip6"), "");
        return chains.ok() ? withoutMissingBuiltins(saved, baseChains(chains.stdout())) : saved;
    }

    /** The base chains (those with a hook) of {@code nft list chains} output, as {@code table/chain}. */
    static Set<String> baseChains(String nftChains) {
        Set<String> base = new HashSet<>();
        String table = null;
        String chain = null;
        for (String line : nftChains.lines().map(String::strip).toList()) {
            if (line.startsWith("table ")) {
                String[] words = line.split("\\s+");
                table = words.length > 2 ? words[2] : null;
            } else if (line.startsWith("chain ")) {
                chain = line.substring("chain ".length()).replace("{", "").strip();
            } else if (line.startsWith("type ") && line.contains(" hook ") && table != null && chain != null) {
                base.add(table + "/" + chain);
            }
        }
        return base;
    }

    /** {@code saved} without the built-in chains not in {@code baseChains}, and without comment lines. */
    static String withoutMissingBuiltins(String saved, Set<String> baseChains) {
        return SavedState.parse(saved).withChains((table, chain) -> Table.byLabel(table)
                .filter(t -> t.isBuiltinChain(chain)).isEmpty() || baseChains.contains(table + "/" + chain))
                .withoutCounters();
    }

    /** One table of the live ruleset, without comment lines. */
    public String save(Table table) {
        return stripComments(checked(save(List.of("-t", table.label())), ""));
    }

    /** Loads {@code text} with iptables-restore; with {@code noflush}, tables not named are kept. */
    public ProcessResult restore(String text, boolean noflush) {
        List<String> command = new ArrayList<>(List.of(family.command() + "-restore", "-w", LOCK_WAIT_SECONDS));
        if (noflush) {
            command.add("--noflush");
        }
        return netns.run(command, text);
    }

    /** Runs {@code iptables -w -t TABLE ARGS...}; returns what it said. */
    public ProcessResult run(Table table, List<String> args) {
        List<String> command = new ArrayList<>(List.of(family.command(), "-w", LOCK_WAIT_SECONDS, "-t", table.label()));
        command.addAll(args);
        return netns.run(command, "");
    }

    /**
     * iptables-save with these arguments, its stack unbounded: iptables-nft 1.8.9 recurses over the
     * chains it lists and overflows the usual 8 MB stack at about 100,000 chains (a segfault, printing
     * nothing), where a million-rule ruleset saves whole without the limit.
     */
    private List<String> save(List<String> args) {
        List<String> command = new ArrayList<>(List.of(STACK_UNBOUNDED));
        command.add(family.command() + "-save");
        command.addAll(args);
        return command;
    }

    private String checked(List<String> command, String stdin) {
        ProcessResult result = netns.run(command, stdin);
        if (!result.ok()) {
            List<String> shown = command.subList(command.get(0).equals(STACK_UNBOUNDED[0]) ? STACK_UNBOUNDED.length : 0,
                    command.size());
            throw new SystemException(String.join(" ", shown) + " failed: " + result.failure());
        }
        return result.stdout();
    }

    static String stripComments(String saved) {
        return saved.lines().filter(l -> !l.startsWith("#")).map(l -> l + "\n").collect(Collectors.joining());
    }
}
