package io.rampart.system.agent;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.system.Netns;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One long-lived {@code nft monitor} inside the namespace. The kernel sends it a line for every
 * change of tables, chains and rules, so watching costs no process per check. Lines that concern
 * the family's iptables tables call {@code onChange}; if the monitor ends on its own,
 * {@code onEnd} hears what it said last.
 */
public final class KernelMonitor implements AutoCloseable {

    private static final List<String> COMMAND = List.of("nft", "monitor");
    private static final Set<String> OBJECTS = Set.of("table", "chain", "rule");

    private final Process process;
    private final Thread reader;
    private volatile boolean closing;

    private KernelMonitor(Process process, Family family, Runnable onChange, Consumer<String> onEnd) {
        this.process = process;
        this.reader = new Thread(() -> read(family, onChange, onEnd), "nft monitor reader");
        reader.setDaemon(true);
        reader.start();
    }

    public static KernelMonitor start(Netns netns, Family family, Runnable onChange, Consumer<String> onEnd) {
        return new KernelMonitor(netns.start(COMMAND), family, onChange, onEnd);
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

    private void read(Family family, Runnable onChange, Consumer<String> onEnd) {
        String last = "";
        try (BufferedReader lines = process.inputReader(StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (concerns(line, family)) {
                    onChange.run();
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
