package io.rampart.system;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A lock on a file that Rampart's processes and the threads of one process take in turn. The
 * kernel's record lock (what {@link FileChannel#lock} takes) belongs to the whole process, so two
 * threads of one JVM never wait for each other there and the JVM refuses the second with an
 * exception: an in-process lock per file comes first, and only its outermost hold takes the file.
 * The holder writes who it is into the file, so that a waiter can say whom it waits for. A process
 * loses its record locks on a file when it closes any descriptor of it, so the file is only ever
 * read through the channel that takes the lock, and a thread waiting for another thread of this
 * process learns who holds it from memory.
 */
public final class LockFile {

    /** Who holds a lock, as the holder wrote it. */
    public record Holder(long pid, String command, Instant since) {

        @Override
        public String toString() {
            return "pid " + pid + " (" + command + ") since " + since.truncatedTo(ChronoUnit.SECONDS);
        }
    }

    /** One hold; closing it releases the lock. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** The command line's main class, when a process was started with it rather than with -jar. */
    private static final String MAIN_CLASS = "io.rampart.cli.Main";
    /** The holder's record: pid, time, command and thread, cut or padded to this many bytes. */
    private static final int RECORD_BYTES = 512;
    private static volatile String commandLine;
    private static final Map<Path, LockFile> FILES = new ConcurrentHashMap<>();
    /** How often a waiter tries the file again; the kernel offers no wait with a timeout. */
    private static final long RETRY_MILLIS = 20;
    /** A wait shorter than this goes unsaid: writers taking turns within moments need no notice. */
    private static final long GRACE_MILLIS = 200;

    private final Path path;
    private final ReentrantLock threads = new ReentrantLock();
    private FileChannel channel;
    private FileLock fileLock;
    /** Who in this process holds the file's lock, while a thread does. */
    private volatile Holder holding;

    private LockFile(Path path) {
        this.path = path;
    }

    /** The one lock of {@code path} in this process. */
    public static LockFile of(Path path) {
        return FILES.computeIfAbsent(path.toAbsolutePath().normalize(), LockFile::new);
    }

    public Path path() {
        return path;
    }

    /**
     * Takes the lock, waiting at most {@code wait} (forever when null); {@code onWait} hears once,
     * when the wait lasts more than a moment, who holds it. Empty when the wait ran out.
     */
    public Optional<Held> acquire(Duration wait, Consumer<Optional<Holder>> onWait) {
        long deadline = wait == null ? Long.MAX_VALUE : System.nanoTime() + wait.toNanos();
        try {
            if (!threads.tryLock(Math.min(GRACE_MILLIS, wait == null ? GRACE_MILLIS : wait.toMillis()),
                    TimeUnit.MILLISECONDS)) {
                onWait.accept(Optional.ofNullable(holding));
                if (!threads.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    return Optional.empty();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SystemException("interrupted while waiting for " + path);
        }
        if (threads.getHoldCount() > 1) {
            return Optional.of(threads::unlock);
        }
        try {
            if (!lockFile(deadline, onWait)) {
                threads.unlock();
                return Optional.empty();
            }
        } catch (RuntimeException e) {
            threads.unlock();
            throw e;
        }
        return Optional.of(this::release);
    }

    /** Who holds the lock, as the holder wrote it into the file; read through the lock's own channel. */
    private Optional<Holder> recorded() {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(RECORD_BYTES);
            channel.read(buffer, 0);
            String[] fields = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip()
                    .split(" ", 3);
            return Optional.of(new Holder(Long.parseLong(fields[0]), fields[2],
                    Instant.ofEpochMilli(Long.parseLong(fields[1]))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not written yet, or never held
        }
    }

    private boolean lockFile(long deadline, Consumer<Optional<Holder>> onWait) {
        try {
            Path parent = path.getParent();
            if (!Files.isDirectory(parent)) {
                Files.createDirectories(parent,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            long tellAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
            boolean told = false;
            while ((fileLock = channel.tryLock()) == null) {
                if (!told && System.nanoTime() >= Math.min(tellAt, deadline)) {
                    onWait.accept(recorded());
                    told = true;
                }
                if (System.nanoTime() >= deadline) {
                    channel.close();
                    return false;
                }
                Thread.sleep(RETRY_MILLIS);
            }
            Holder me = new Holder(ProcessHandle.current().pid(), commandLine() + ", thread "
                    + Thread.currentThread().getName(), Instant.now());
            byte[] text = (me.pid() + " " + me.since().toEpochMilli() + " " + me.command())
                    .getBytes(StandardCharsets.UTF_8);
            // Always the same length, padded: the file is never truncated, which costs milliseconds on ext4.
            byte[] record = new byte[RECORD_BYTES];
            Arrays.fill(record, (byte) ' ');
            System.arraycopy(text, 0, record, 0, Math.min(text.length, RECORD_BYTES - 1));
            record[RECORD_BYTES - 1] = '\n';
            channel.write(ByteBuffer.wrap(record), 0);
            holding = me;
            return true;
        } catch (IOException e) {
            throw new SystemException("cannot lock " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SystemException("interrupted while waiting for " + path);
        }
    }

    private void release() {
        try {
            fileLock.release();
            channel.close();
        } catch (IOException e) {
            // Closing the channel releases the lock in any case.
        } finally {
            holding = null;
            fileLock = null;
            channel = null;
            threads.unlock();
        }
    }

    /** This process as a waiter should see it: Rampart's command and arguments, read once from /proc. */
    private static String commandLine() {
        String known = commandLine;
        if (known == null) {
            List<String> arguments;
            try {
                arguments = Arrays.asList(new String(Files.readAllBytes(Path.of("/proc/self/cmdline")),
                        StandardCharsets.UTF_8).split("\0"));
            } catch (IOException e) {
                arguments = List.of("java");
            }
            int jar = arguments.indexOf("-jar");
            int main = jar >= 0 ? jar + 2 : arguments.indexOf(MAIN_CLASS) + 1;
            known = main > 0 && main <= arguments.size()
                    ? "rampart " + String.join(" ", arguments.subList(main, arguments.size())) : arguments.get(0);
            commandLine = known;
        }
        return known;
    }
}
