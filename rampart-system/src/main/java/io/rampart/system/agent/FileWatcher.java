package io.rampart.system.agent;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import io.rampart.system.SystemException;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls {@code onChange} when one of the watched paths is written, replaced or removed, or when a
 * watched directory gains or loses an entry. It watches directories, not files, because editors
 * save by writing a new file and renaming it over the old one; and it follows symbolic links, so a
 * file replaced by swapping a link to it, as Kubernetes does with a ConfigMap's {@code ..data}
 * link to a new timestamped directory, counts as changed.
 */
final class FileWatcher implements AutoCloseable {

    /** Links followed from one path before giving up on a loop. */
    private static final int MAX_LINKS = 40;
    /** A directory's entries that matter, or every entry when the directory itself is watched. */
    private static final Set<Path> ALL = Collections.unmodifiableSet(new HashSet<>());

    private final WatchService service;
    private final Map<Path, WatchKey> keys = new HashMap<>();
    private final Map<WatchKey, Set<Path>> names = new ConcurrentHashMap<>();
    private final Thread thread;

    private FileWatcher(WatchService service, Runnable onChange) {
        this.service = service;
        this.thread = new Thread(() -> watch(onChange), "file watcher");
        thread.setDaemon(true);
    }

    /** Watches {@code paths}: files, and directories whose every entry counts. */
    static FileWatcher start(Set<Path> paths, Runnable onChange) {
        try {
            FileWatcher watcher = new FileWatcher(FileSystems.getDefault().newWatchService(), onChange);
            watcher.watch(paths);
            watcher.thread.start();
            return watcher;
        } catch (IOException e) {
            throw new SystemException("cannot watch files: " + e.getMessage(), e);
        }
    }

    /** From now on watches {@code paths} instead of what it watched before. */
    synchronized void watch(Set<Path> paths) {
        Map<Path, Set<Path>> wanted = new HashMap<>();
        for (Path path : paths) {
            Path absolute = path.toAbsolutePath().normalize();
            if (Files.isDirectory(absolute)) {
                wanted.put(absolute, ALL);
            }
            followLinks(absolute, wanted, 0);
        }
        for (Map.Entry<Path, Set<Path>> directory : wanted.entrySet()) {
            WatchKey key = keys.get(directory.getKey());
            if (key == null || !key.isValid()) {
                try {
                    key = directory.getKey().register(service, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
                } catch (IOException e) {
                    continue; // no such directory (yet): what names it is watched further up
                }
                keys.put(directory.getKey(), key);
            }
            names.put(key, directory.getValue());
        }
        keys.entrySet().removeIf(entry -> {
            if (wanted.containsKey(entry.getKey())) {
                return false;
            }
            names.remove(entry.getValue());
            entry.getValue().cancel();
            return true;
        });
    }

    /**
     * Adds the entry that names {@code path} in its directory and, for each symbolic link on the way
     * to the file (the path itself or a directory in it), the link's entry and the path it leads to.
     */
    private static void followLinks(Path path, Map<Path, Set<Path>> wanted, int links) {
        if (path.getParent() == null || links > MAX_LINKS) {
            return;
        }
        add(wanted, path.getParent(), path.getFileName());
        for (int i = 1; i <= path.getNameCount(); i++) {
            Path prefix = path.getRoot().resolve(path.subpath(0, i));
            if (Files.isSymbolicLink(prefix)) {
                add(wanted, prefix.getParent(), prefix.getFileName());
                try {
                    Path target = prefix.getParent().resolve(Files.readSymbolicLink(prefix));
                    Path rest = i < path.getNameCount() ? target.resolve(path.subpath(i, path.getNameCount())) : target;
                    followLinks(rest.normalize(), wanted, links + 1);
                } catch (IOException e) {
                    // the link went away while looking: its entry is watched
                }
                return;
            }
        }
    }

    private static void add(Map<Path, Set<Path>> wanted, Path directory, Path name) {
        Set<Path> entries = wanted.get(directory);
        if (entries == ALL) {
            return;
        }
        if (entries == null) {
            entries = new HashSet<>();
            wanted.put(directory, entries);
        }
        entries.add(name);
    }

    private void watch(Runnable onChange) {
        try {
            while (true) {
                WatchKey key = service.take();
                Set<Path> wanted = names.get(key);
                boolean changed = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    changed |= wanted != null && (event.kind() == OVERFLOW || wanted == ALL
                            || wanted.contains((Path) event.context()));
                }
                // A directory that went away takes its files with it: one more reading reports that.
                if (!key.reset() && wanted != null) {
                    changed = true;
                }
                if (changed) {
                    onChange.run();
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // closed: the agent is stopping
        }
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            // nothing is left to release
        }
    }
}
