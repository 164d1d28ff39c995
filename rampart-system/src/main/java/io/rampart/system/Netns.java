package io.rampart.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace to run commands in, or the host's own (no name). Throwaway namespaces are
 * named {@code rampart-...} and removed on {@link #close()}.
 */
public final class Netns implements AutoCloseable {

    private final String name;
    private final boolean owned;
    private final ProcessRunner runner;
    private final Thread removeOnExit;

    private Netns(String name, boolean owned, ProcessRunner runner) {
        this.name = name;
        this.owned = owned;
        this.runner = runner;
        // A throwaway namespace is removed even when the JVM is stopped by Ctrl-C or SIGTERM.
        this.removeOnExit = owned ? new Thread(this::remove, "remove " + name) : null;
        if (owned) {
            Runtime.getRuntime().addShutdownHook(removeOnExit);
        }
    }

    /** The host's own namespace. */
    public static Netns host(ProcessRunner runner) {
        return new Netns(null, false, runner);
    }

    /** An existing named namespace, left in place on close. */
    public static Netns existing(String name, ProcessRunner runner) {
        // `ip netns' keeps named namespaces as files here; reading it costs no process.
        if (name.contains("/") || !Files.exists(Path.of("/run/netns", name))) {
            throw new SystemException("network namespace `" + name + "' does not exist (ip netns list)");
        }
        return new Netns(name, false, runner);
    }

    /**
     * Which namespace the name {@code name} stands for now: the device, inode and change time of its
     * file under /run/netns. The kernel hands a freed namespace's inode number to the next one made,
     * so a namespace deleted and made again under the same name may get the old inode; the time its
     * inode was made (which nothing can change while it is mounted there) tells them apart. Empty
     * when there is no such namespace.
     */
    public static Optional<String> identity(String name) {
        return fileIdentity(Path.of("/run/netns", name), "dev", "ino", "ctime");
    }

    /**
     * Which namespace this is now, by the device and inode of its file (the host's is that of this
     * process), to tell namespaces that exist at the same time apart.
     */
    public Optional<String> identity() {
        return fileIdentity(name().map(n -> Path.of("/run/netns", n)).orElse(Path.of("/proc/self/ns/net")),
                "dev", "ino");
    }

    /** The file's unix attributes, joined by colons; empty when the file is not there to say. */
    private static Optional<String> fileIdentity(Path file, String... attributes) {
        Map<String, Object> read;
        try {
            read = Files.readAttributes(file, "unix:" + String.join(",", attributes));
        } catch (IOException | UnsupportedOperationException unreadable) {
            // No such file (the namespace is gone) or no unix attributes to read: nothing to tell it by.
            return Optional.empty();
        }
        StringJoiner identity = new StringJoiner(":");
        for (String attribute : attributes) {
            identity.add(String.valueOf(read.get(attribute)));
        }
        return Optional.of(identity.toString());
    }

    /** A new namespace named {@code rampart-PURPOSE-RANDOM} with its loopback up. */
    public static Netns throwaway(String purpose, ProcessRunner runner) {
        String name = "rampart-" + purpose + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        ProcessResult made = runner.run(List.of("ip", "netns", "add", name), "");
        if (!made.ok()) {
            throw new SystemException("cannot create network namespace " + name + ": " + made.failure());
        }
        Netns netns = new Netns(name, true, runner);
        netns.run(List.of("ip", "link", "set", "lo", "up"), "");
        return netns;
    }

    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    public ProcessRunner runner() {
        return runner;
    }

    /** Runs a command inside this namespace. */
    public ProcessResult run(List<String> command, String stdin) {
        return runner.run(wrap(command), stdin);
    }

    /** Starts a long-running command inside this namespace (see {@link ProcessRunner#start}). */
    public Process start(List<String> command) {
        return runner.start(wrap(command));
    }

    /** The command line that runs {@code command} inside this namespace. */
    public List<String> wrap(List<String> command) {
        if (name == null) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", name));
        wrapped.addAll(command);
        return wrapped;
    }

    @Override
    public void close() {
        if (owned) {
            try {
                Runtime.getRuntime().removeShutdownHook(removeOnExit);
            } catch (IllegalStateException shuttingDown) {
                return; // the hook is running or will run
            }
            remove();
        }
    }

    private void remove() {
        runner.run(List.of("ip", "netns", "del", name), "");
    }
}
