package io.rampart.system;

import io.rampart.model.Family;
import io.rampart.model.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The system's iptables / ip6tables programs for one family, in one namespace. */
public final class Iptables {

    /** How long to wait for the xtables lock, in seconds. */
    private static final String LOCK_WAIT_SECONDS = "10";

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
        return checked(List.of(family.command() + "-save"), "");
    }

    /** iptables-save -c: every chain's and rule's packet and byte counters, comment lines included. */
    public String saveWithCounters() {
        return checked(List.of(family.command() + "-save", "-c"), "");
    }

    /** One table of the live ruleset, without comment lines. */
    public String save(Table table) {
        return stripComments(checked(List.of(family.command() + "-save", "-t", table.label()), ""));
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

    private String checked(List<String> command, String stdin) {
        ProcessResult result = netns.run(command, stdin);
        if (!result.ok()) {
            throw new SystemException(String.join(" ", command) + " failed: " + result.stderr().strip());
        }
        return result.stdout();
    }

    static String stripComments(String saved) {
        return saved.lines().filter(l -> !l.startsWith("#")).map(l -> l + "\n").collect(Collectors.joining());
    }
}
