package io.rampart.system.agent;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import io.rampart.system.SystemException;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/**
 * Calls {@code onChange} when a file is written, replaced or removed. It watches the directory,
 * not the file, because editors save by writing a new file and renaming it over the old one.
 */
final class FileWatcher implements AutoCloseable {

    private final WatchService service;
    private final Thread thread;

    private FileWatcher(WatchService service, Path name, Runnable onChange) {
        this.service = service;
        this.thread = new Thread(() -> watch(name, onChange), "file watcher");
        thread.setDaemon(true);
        thread.start();
    }

    static FileWatcher start(Path file, Runnable onChange) {
        Path absolute = file.toAbsolutePath();
        Path directory = absolute.getParent();
        try {
            WatchService service = directory.getFileSystem().newWatchService();
            directory.register(service, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
            return new FileWatcher(service, absolute.getFileName(), onChange);
        } catch (IOException e) {
            throw new SystemException("cannot watch " + directory + ": " + e.getMessage(), e);
        }
    }

    private void watch(Path name, Runnable onChange) {
        try {
            boolean valid = true;
            while (valid) {
                WatchKey key = service.take();
                boolean changed = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    changed |= event.kind() == OVERFLOW || name.equals(event.context());
                }
                valid = key.reset();
                // A directory that went away takes the file with it: one last reading reports that.
                if (changed || !valid) {
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
