package io.rampart.cli;

import io.rampart.model.Family;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a ruleset file into a desired state, or explains where and why it is wrong. */
final class RulesetFiles {

    private RulesetFiles() {
    }

    static DesiredState read(Path file, Family family) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage());
        }
        try {
            return DesiredState.of(new RulesetParser(StandardExtensions.registry(), family).parseWithLines(text),
                    StandardExtensions.registry(), file.toString());
        } catch (RulesetSyntaxException e) {
            throw new InputException(located(file, text, e));
        }
    }

    /** {@code file:line:col: error: message}, then the line and a caret under the column. */
    static String located(Path file, String text, RulesetSyntaxException e) {
        String line = text.lines().skip(Math.max(0, e.line() - 1)).findFirst().orElse("");
        int column = Math.max(1, e.column());
        return file + ":" + e.line() + ":" + column + ": error: " + e.getMessage() + "\n  " + line + "\n  "
                + " ".repeat(Math.min(column - 1, line.length())) + "^";
    }
}
