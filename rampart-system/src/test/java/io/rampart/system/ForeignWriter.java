package io.rampart.system;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Another program writing the filter table at the same time as Rampart, one iptables process per
 * change, as Docker or fail2ban do. Each of its rules carries a comment with a unique tag, and it
 * believes it has a rule exactly when the command that made it succeeded and none removed it.
 */
final class ForeignWriter implements AutoCloseable {

    /** What the writer does to the kernel. */
    enum Kind {
        /** Inserts and deletes its own rules at the head, in the middle and at the tail of shared chains, and in a chain of its own. */
        CHURN,
        /** Flushes a chain of its own and fills it again, in one restore. */
        REFILL,
        /**
         * Now and then deletes one of Rampart's rules in the shared chains, or inserts a rule into
         * one of Rampart's chains ({@code APP...}): what the agent repairs, and what makes an apply
         * that was just planned no longer fit. It believes nothing.
         */
        VANDAL
    }

    private final Netns netns;
    private final String tag;
    private final Kind kind;
    private final List<String> sharedChains;
    private final String ownChain;
    private final Random random;
    private final Set<String> believed = new LinkedHashSet<>();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stopping;
    private int changes;
    private int next;

    ForeignWriter(Netns netns, String tag, Kind kind, List<String> sharedChains, long seed) {
        this.netns = netns;
        this.tag = tag;
        this.kind = kind;
        this.sharedChains = List.copyOf(sharedChains);
        this.ownChain = tag.toUpperCase() + "-OWN";
        this.random = new Random(seed);
        this.thread = new Thread(this::run, "foreign writer " + tag);
    }

    ForeignWriter start() {
        ProcessResult made = iptables("-N", ownChain);
        if (!made.ok()) {
            throw new IllegalStateException("cannot make " + ownChain + ": " + made.stderr());
        }
        thread.start();
        return this;
    }

    /** Stops writing and returns how many changes it made; fails when one of its own commands failed oddly. */
    int stop() throws InterruptedException {
        stopping = true;
        thread.join();
        if (failure.get() != null) {
            throw new AssertionError(tag + ": " + failure.get());
        }
        return changes;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** The tags of the rules it believes it has, as {@code CHAIN TAG}; read after {@link #stop()}. */
    synchronized Set<String> believed() {
        return Set.copyOf(believed);
    }

    /** The tags of this writer's rules that the kernel holds, as {@code CHAIN TAG}. */
    Set<String> inKernel(String saved) {
        Set<String> found = new LinkedHashSet<>();
        for (String line : saved.lines().toList()) {
            int at = line.indexOf("--comment " + tag + "-");
            if (line.startsWith("-A ") && at > 0) {
                String chain = line.substring(3, line.indexOf(' ', 3));
                found.add(chain + " " + line.substring(at + "--comment ".length()).split(" ")[0]);
            }
        }
        return found;
    }

    private void run() {
        try {
            while (!stopping) {
                switch (kind) {
                    case REFILL -> refill();
                    case CHURN -> churn();
                    case VANDAL -> vandalize();
                }
                changes++;
            }
        } catch (RuntimeException e) {
            failure.set(e.toString());
        }
    }

    private void vandalize() {
        List<String> rules = iptables("-S").stdout().lines().filter(l -> l.startsWith("-A ") && !l.contains("--comment"))
                .toList();
        // Most rounds only read, so that the damage comes a few times a second.
        if (random.nextInt(40) > 0 || rules.isEmpty()) {
            return;
        }
        String rule = rules.get(random.nextInt(rules.size()));
        String chain = rule.split(" ")[1];
        if (chain.startsWith("APP") && random.nextBoolean()) {
            iptables(command("-I", chain, "1", newTag()));
        } else if (sharedChains.contains(chain) || chain.startsWith("APP")) {
            List<String> words = new ArrayList<>(List.of("-D"));
            words.addAll(List.of(rule.substring(3).split(" ")));
            iptables(words); // Rampart may have deleted it first: then this fails, harmlessly
        }
    }

    private void refill() {
        StringBuilder script = new StringBuilder("*filter\n:" + ownChain + " - [0:0]\n");
        List<String> tags = new ArrayList<>();
        for (int i = random.nextInt(4); i >= 0; i--) {
            String rule = newTag();
            tags.add(ownChain + " " + rule);
            script.append("-A ").append(ownChain).append(spec(rule)).append('\n');
        }
        script.append("COMMIT\n");
        if (new Iptables(netns, io.rampart.model.Family.IPV4).restore(script.toString(), true).ok()) {
            synchronized (this) {
                believed.clear();
                believed.addAll(tags);
            }
        }
    }

    private void churn() {
        List<String> mine;
        synchronized (this) {
            mine = new ArrayList<>(believed);
        }
        if (!mine.isEmpty() && (mine.size() > 12 || random.nextInt(3) == 0)) {
            String gone = mine.get(random.nextInt(mine.size()));
            String[] parts = gone.split(" ");
            if (!iptables(command("-D", parts[0], null, parts[1])).ok()) {
                throw new IllegalStateException("its own rule " + gone + " was gone: someone else deleted it");
            }
            synchronized (this) {
                believed.remove(gone);
            }
            return;
        }
        boolean own = random.nextInt(4) == 0;
        String chain = own ? ownChain : sharedChains.get(random.nextInt(sharedChains.size()));
        String rule = newTag();
        int where = random.nextInt(3);
        List<String> command;
        if (where == 0) {
            command = command("-I", chain, "1", rule);
        } else if (where == 1) {
            // The middle, by a position read just before: a race of its own, which may fail harmlessly.
            long length = iptables("-S", chain).stdout().lines().filter(l -> l.startsWith("-A ")).count();
            command = command("-I", chain, Long.toString(1 + length / 2), rule);
        } else {
            command = command("-A", chain, null, rule);
        }
        if (iptables(command).ok()) {
            synchronized (this) {
                believed.add(chain + " " + rule);
            }
        }
    }

    private String newTag() {
        return tag + "-" + next++;
    }

    private static String spec(String rule) {
        int n = Integer.parseInt(rule.substring(rule.lastIndexOf('-') + 1));
        return " -s 10.250." + (n / 250 % 250) + "." + (n % 250 + 1) + "/32 -m comment --comment " + rule + " -j ACCEPT";
    }

    private static List<String> command(String verb, String chain, String position, String rule) {
        List<String> words = new ArrayList<>(List.of(verb, chain));
        if (position != null) {
            words.add(position);
        }
        words.addAll(List.of(spec(rule).strip().split(" ")));
        return words;
    }

    private ProcessResult iptables(String... args) {
        return iptables(List.of(args));
    }

    private ProcessResult iptables(List<String> args) {
        List<String> command = new ArrayList<>(List.of("iptables", "-w", "-t", "filter"));
        command.addAll(args);
        return netns.run(command, "");
    }
}
