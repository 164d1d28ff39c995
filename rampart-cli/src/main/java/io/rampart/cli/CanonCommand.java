package io.rampart.cli;

import io.rampart.api.Canon;
import io.rampart.api.CanonLine;
import io.rampart.model.Failure;
import io.rampart.model.extension.NameDatabase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Reads rules on stdin and prints each in the kernel's canonical spelling. */
@Command(name = "canon", mixinStandardHelpOptions = true,
        description = {"Print each rule read on stdin (`-A CHAIN ...', as in iptables-save) the way the kernel's"
                + " iptables-save prints it, or `error: MESSAGE'.",
                "A line with several addresses (-s a,b) stands for one rule per address, printed on one line"
                        + " each. Exit 0 when every rule was valid, 1 otherwise."})
final class CanonCommand implements Callable<Integer>, ReadsStdin {

    @Mixin
    KernelOptions options;

    @Option(names = {"-t", "--table"}, paramLabel = "TABLE", defaultValue = "filter",
            description = "The table the rules belong to (default: ${DEFAULT-VALUE}).")
    String table;

    @Spec
    CommandSpec spec;

    private InputStream stdin = System.in;

    @Override
    public void setStdin(InputStream in) {
        this.stdin = in;
    }

    @Override
    public Integer call() {
        Canon canon;
        try {
            canon = new Canon(options.family(), Canon.table(table), NameDatabase.system());
        } catch (Failure e) {
            throw new InputException("-t: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean allValid = true;
        int number = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                CanonLine result = canon.line(++number, line);
                allValid &= result.error() == null;
                out.println(options.json ? Json.line(result) : result.error() != null ? "error: " + result.error()
                        : String.join("\n", result.canonical()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
        return allValid ? ExitCode.OK : ExitCode.BAD_INPUT;
    }
}
