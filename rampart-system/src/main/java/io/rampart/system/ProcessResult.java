package io.rampart.system;

/**
 * What a finished process said and how it ended.
 *
 * @param pid its process id, by which the kernel's change events name what it wrote
 */
public record ProcessResult(int exitCode, String stdout, String stderr, long pid) {

    /** Exit codes above this are the JVM's report of a process ended by a signal: 128 plus its number. */
    private static final int SIGNALLED = 128;

    public boolean ok() {
        return exitCode == 0;
    }

    /**
     * Why it failed, for a message: what it printed on stderr, or, when it printed nothing (a crash,
     * the kernel's out-of-memory killer), how it ended.
     */
    public String failure() {
        String said = stderr.strip();
        if (!said.isEmpty()) {
            return said;
        }
        if (exitCode > SIGNALLED && exitCode < SIGNALLED + 65) {
            int signal = exitCode - SIGNALLED;
            String name = switch (signal) {
                case 6 -> " (SIGABRT)";
                case 9 -> " (SIGKILL: the kernel's out-of-memory killer ends processes so)";
                case 11 -> " (SIGSEGV)";
                case 15 -> " (SIGTERM)";
                default -> "";
            };
            return "ended by signal " + signal + name + ", printing nothing";
        }
        return "exit status " + exitCode + ", printing nothing";
    }
}
