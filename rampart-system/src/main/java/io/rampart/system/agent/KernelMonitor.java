package io.rampart.system.agent;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.system.Netns;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One long-lived {@code nft monitor} inside the namespace. The kernel sends it a line for every
 * change of tables, chains and rules, so watching costs no process per check. Lines that concern
 * the family's iptables tables call {@code onChange} with the chain they name, where that is
 * certain; if the monitor ends on its own, {@code onEnd} hears what it said last.
 *
 * <p>nft prints rules in its own language, not as iptables rules, and a deleted rule only by its
 * handle: a line tells which chain changed, not how. A rule line names its chain; so do a new
 * chain ({@code create chain}), a deleted one and a built-in chain's new policy ({@code add chain}
 * of a built-in chain). Anything else is {@link Change.Uncertain}: {@code add chain} of a user
 * chain may be a rename, which names only the new name; table lines. The kernel ends each
 * transaction's lines with {@code # new generation N by process PID (COMM)}, {@link Change.Committed}:
 * a writer that knows its process tells its own changes from others' by it. A deleted rule is
 * {@link Change.RuleDeleted}, with its handle. Other comment lines,
 * such as the one that says events were lost, are {@link Change.Lost}.
 */
public final class KernelMonitor implements AutoCloseable {

    private static final List<String> COMMAND = List.of("nft", "monitor");
    private static final Set<String> OBJECTS = Set.of("table", "chain", "rule");
    private static final String GENERATION = "# new generation ";
    private static final Duration SUBSCRIBE_BOUND = Duration.ofSeconds(5);
    /** NETLINK_NETFILTER in /proc/PID/net/netlink's protocol column. */
    private static final String NETFILTER = "12";

    private final Process process;
    private final Thread reader;
    private volatile boolean closing;

    /** What one line says changed. */
    public sealed interface Change permits Change.OfChain, Change.RuleDeleted, Change.Uncertain, Change.Committed,
            Change.Lost {
        /** Something of this chain changed: its rules, its policy, or whether it exists. */
        record OfChain(Table table, String chain) implements Change {
        }

        /** The rule with this handle was deleted from the chain, and nothing else changed by this line. */
        record RuleDeleted(Table table, String chain, long handle) implements Change {
        }

        /** Something changed that the line does not pin to one chain. */
        record Uncertain(String line) implements Change {
        }

        /** The transaction of the changes since the last one ended, made by {@code process} where nft says. */
        record Committed(OptionalLong process) implements Change {
        }

        /** Something may have changed that no line told, such as events the kernel dropped. */
        record Lost(String line) implements Change {
        }
    }

    private KernelMonitor(Process process, Family family, Consumer<Change> onChange, Consumer<String> onEnd) {
        this.process = process;
        this.reader = new Thread(() -> read(family, onChange, onEnd), "nft monitor reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** A monitor that says only that something changed. */
    public static KernelMonitor start(Netns netns, Family family, Runnable onChange, Consumer<String> onEnd) {
        return watch(netns, family, change -> {
            if (!(change instanceof Change.Committed)) {
                onChange.run();
            }
        }, onEnd);
    }

    /**
     * A monitor that says what changed, as far as nft's lines tell. It returns once the monitor
     * listens (or after {@link #SUBSCRIBE_BOUND}), so a read of the kernel made after it misses no
     * change: nft prints nothing when it starts, and until it joins the netlink group the kernel
     * tells it nothing.
     */
    public static KernelMonitor watch(Netns netns, Family family, Consumer<Change> onChange, Consumer<String> onEnd) {
        Process process = netns.start(COMMAND);
        awaitSubscribed(process);
        return new KernelMonitor(process, family, onChange, onEnd);
    }

    /**
     * Waits until the process holds a netfilter netlink socket that has joined a group, as
     * {@code /proc/PID/net/netlink} shows it. Where /proc cannot tell, it does not wait.
     */
    private static void awaitSubscribed(Process process) {
        long deadline = System.nanoTime() + SUBSCRIBE_BOUND.toNanos();
        Path proc = Path.of("/proc", Long.toString(process.pid()));
        while (process.isAlive() && System.nanoTime() < deadline) {
            try {
                if (subscribed(proc)) {
                    return;
                }
                Thread.sleep(5);
            } catch (IOException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean subscribed(Path proc) throws IOException {
        Set<String> sockets = new HashSet<>();
        try (var fds = Files.list(proc.resolve("fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        sockets.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // an fd closed between listing and reading is no socket of interest
                }
            }
        }
        for (String line : Files.readAllLines(proc.resolve("net/netlink"))) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 10 && cols[1].equals(NETFILTER) && !cols[3].matches("0+")
                    && sockets.contains(cols[9])) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a monitor line is a change to one of the family's iptables tables, e.g.
     * {@code delete rule ip filter INPUT handle 5}. nft writes iptables' chain renames as
     * {@code add chain} of the new name only, so the chain named is not a safe filter; the table is.
     */
    static boolean concerns(String line, Family family) {
        String[] words = line.split(" ", 5);
        return words.length >= 4 && OBJECTS.contains(words[1])
                && words[2].equals(family == Family.IPV4 ? "ip" : "ip6")
                && Table.byLabel(words[3]).isPresent();
    }

    /**
     * What a line says changed in the family's iptables tables; empty when nothing of theirs did.
     * Every transaction's end is told, as the lines before it may have been another family's.
     */
    static Optional<Change> change(String line, Family family) {
        if (line.startsWith("#")) {
            return Optional.of(line.startsWith(GENERATION) ? new Change.Committed(writer(line)) : new Change.Lost(line));
        }
        if (!concerns(line, family)) {
            return Optional.empty();
        }
        String[] words = line.split(" ", 6);
        Table table = Table.byLabel(words[3]).orElseThrow();
        if (words.length < 5) {
            return Optional.of(new Change.Uncertain(line));
        }
        String chain = words[4];
        if (line.startsWith("delete rule ")) {
            String[] deletion = line.split(" ");
            if (deletion.length == 7 && deletion[5].equals("handle") && deletion[6].matches("[0-9]{1,18}")) {
                return Optional.of(new Change.RuleDeleted(table, chain, Long.parseLong(deletion[6])));
            }
        }
        boolean pinned = switch (words[1]) {
            case "rule" -> true;
            case "chain" -> words[0].equals("create") || words[0].equals("delete")
                    || words[0].equals("add") && table.isBuiltinChain(chain);
            default -> false;
        };
        return Optional.of(pinned ? new Change.OfChain(table, chain) : new Change.Uncertain(line));
    }

    /** The process of {@code # new generation 5 by process 22490 (iptables)}; empty where nft does not say. */
    private static OptionalLong writer(String generation) {
        String[] words = generation.split(" ");
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].equals("process") && words[i + 1].matches("\\d{1,19}")) {
                return OptionalLong.of(Long.parseLong(words[i + 1]));
            }
        }
        return OptionalLong.empty();
    }

    private void read(Family family, Consumer<Change> onChange, Consumer<String> onEnd) {
        String last = "";
        try (BufferedReader lines = process.inputReader(StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                Optional<Change> change = change(line, family);
                if (change.isPresent()) {
                    onChange.accept(change.get());
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    last = line;
                }
            }
        } catch (IOException e) {
            last = e.getMessage();
        }
        if (!closing) {
            onEnd.accept(String.join(" ", COMMAND) + " ended" + (last.isEmpty() ? "" : ": " + last.strip()));
        }
    }

    @Override
    public void close() {
        closing = true;
        process.destroy();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
            }
            reader.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
