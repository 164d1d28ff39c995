package io.rampart.cli;

import io.rampart.api.NoopMemo;
import io.rampart.model.Family;
import io.rampart.reconcile.DesiredState;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The full read of an apply's file, started while the no-op memo's check waits for the kernel's
 * dump: when the memo does not hold (another program changed a declared chain), the apply then
 * waits for the later of the two, as it does without a memo, instead of reading after the dump.
 * When the memo holds, the read is dropped unfinished (its thread does not keep the JVM up). Its
 * warnings are kept until the apply takes the read, so that a hit prints only the memo's.
 */
final class SpeculativeRead {

    /** A read of the file: its desired state, what it depended on, and the warnings it rendered. */
    record Read(Map<Family, DesiredState> desired, NoopMemo.Reading recording, String warnings) {
    }

    /** A read that failed, with the warnings it rendered before. */
    static final class Failed extends RuntimeException {
        private final String warnings;

        Failed(String warnings, RuntimeException cause) {
            super(cause);
            this.warnings = warnings;
        }
    }

    private final CompletableFuture<Read> read;

    private SpeculativeRead(CompletableFuture<Read> read) {
        this.read = read;
    }

    /** {@code read} started on a thread of its own. */
    static SpeculativeRead start(Supplier<Read> read) {
        CompletableFuture<Read> future = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                future.complete(read.get());
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        }, "rampart-read-ahead");
        thread.setDaemon(true);
        thread.start();
        return new SpeculativeRead(future);
    }

    /** {@code read} done now, on this thread. */
    static SpeculativeRead now(Supplier<Read> read) {
        CompletableFuture<Read> future = new CompletableFuture<>();
        try {
            future.complete(read.get());
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
        }
        return new SpeculativeRead(future);
    }

    /** The read, once done, its warnings handed to {@code print} first; a failed read's failure, thrown as it was. */
    Read join(Consumer<String> print) {
        try {
            Read done = read.join();
            print(done.warnings(), print);
            return done;
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Failed failed) {
                print(failed.warnings, print);
                throw (RuntimeException) failed.getCause();
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private static void print(String warnings, Consumer<String> print) {
        if (!warnings.isEmpty()) {
            print.accept(warnings);
        }
    }
}
