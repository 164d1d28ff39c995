package io.rampart.cli;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT as a request to stop, for the commands that run until signalled. The JVM's own
 * handling would start the shutdown at once and end with the signal's exit code; this hands the
 * signal to the command instead, which stops and returns 0, so the JVM then exits normally and
 * every shutdown hook (such as the removal of a throwaway namespace) runs to its end.
 */
final class StopSignals implements AutoCloseable {

    private static final List<String> STOPPING = List.of("TERM", "INT");

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private StopSignals(Runnable stop) {
        for (String name : STOPPING) {
            Signal signal = new Signal(name);
            previous.add(Signal.handle(signal, s -> stop.run()));
            signals.add(signal);
        }
    }

    /** Calls {@code stop} on SIGTERM or SIGINT until closed; then the JVM's handling is back. */
    static StopSignals handle(Runnable stop) {
        return new StopSignals(stop);
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
