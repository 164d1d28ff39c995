package io.rampart.cli;

import io.rampart.system.LockFile;
import io.rampart.system.WriterLock;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --wait}: how long a command that writes rules waits while another writer of them holds the lock. */
final class WriterWait {

    static final String WAIT = "--wait";

    @Option(names = WAIT, paramLabel = "SECONDS", description = "Wait at most this long while another"
            + " Rampart writer changes the same rules (default 30), then exit 4 having changed nothing.")
    long seconds = WriterLock.DEFAULT_WAIT.toSeconds();

    /** What --json says on stderr while the command waits. */
    record Waiting(String waiting, String lock, Long pid, String holder, long giveUpAfterSeconds) {
    }

    /** The wait, said on {@code err} as text or, with {@code json}, as one JSON object. */
    WriterLock.Waiting waiting(PrintWriter err, boolean json) {
        if (seconds < 0) {
            throw new InputException("--wait: `" + seconds + "' is no number of seconds");
        }
        return new WriterLock.Waiting(Duration.ofSeconds(seconds), notice -> {
            err.println(json ? Json.line(new Waiting(notice.rules(), notice.lock().toString(),
                    notice.holder().map(LockFile.Holder::pid).orElse(null),
                    notice.holder().map(LockFile.Holder::toString).orElse(null), seconds))
                    : "rampart: " + notice.message());
            err.flush();
        });
    }
}
