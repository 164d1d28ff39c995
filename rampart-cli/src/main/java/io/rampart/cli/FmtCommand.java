package io.rampart.cli;

import io.rampart.config.Formatter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Prints a ruleset file in its canonical layout. */
@Command(name = "fmt", mixinStandardHelpOptions = true,
        description = {"Print FILE in its canonical layout (docs/language.md, `fmt'): blanks, indentation of"
                + " blocks, list spelling and blank lines; comments, line order and the words of rules are kept,"
                + " and what the file means never changes. Included files are not followed."})
final class FmtCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "A ruleset file.")
    Path file;

    @Option(names = {"-w", "--write"}, description = "Rewrite FILE in place instead of printing it.")
    boolean write;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage());
        }
        String formatted = Formatter.format(text);
        if (!write) {
            spec.commandLine().getOut().print(formatted);
            spec.commandLine().getOut().flush();
        } else if (!formatted.equals(text)) {
            try {
                Files.writeString(file, formatted);
            } catch (IOException e) {
                throw new InputException(file + ": cannot write: " + e.getMessage());
            }
        }
        return ExitCode.OK;
    }
}
