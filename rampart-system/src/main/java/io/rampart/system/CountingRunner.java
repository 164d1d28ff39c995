package io.rampart.system;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A process runner that counts the processes it starts, for apply's summary and for tests. */
public final class CountingRunner implements ProcessRunner {

    private final ProcessRunner delegate;
    private final AtomicInteger started = new AtomicInteger();

    public CountingRunner(ProcessRunner delegate) {
        this.delegate = delegate;
    }

    @Override
    public ProcessResult run(List<String> command, String stdin) {
        started.incrementAndGet();
        return delegate.run(command, stdin);
    }

    @Override
    public Process start(List<String> command) {
        started.incrementAndGet();
        return delegate.start(command);
    }

    public int started() {
        return started.get();
    }
}
