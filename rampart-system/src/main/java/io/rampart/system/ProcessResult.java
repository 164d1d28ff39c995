package io.rampart.system;

/** What a finished process said and how it ended. */
public record ProcessResult(int exitCode, String stdout, String stderr) {

    public boolean ok() {
        return exitCode == 0;
    }
}
