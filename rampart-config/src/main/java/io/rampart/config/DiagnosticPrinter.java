package io.rampart.config;

import java.util.Map;

/**
 * A finding as people read it: {@code file:line:col: error: message}, the source line with a caret
 * under the column, a hint when one is known, and how the file was reached.
 */
public final class DiagnosticPrinter {

    private final Map<String, SourceFile> files;

    public DiagnosticPrinter(Map<String, SourceFile> files) {
        this.files = files;
    }

    public String print(Diagnostic diagnostic) {
        SourceRef where = diagnostic.where();
        StringBuilder out = new StringBuilder();
        String severity = diagnostic.isError() ? "error" : "warning";
        if (where.line() < 1) {
            out.append(where.file()).append(": ").append(severity).append(": ").append(diagnostic.message())
                    .append('\n');
        } else {
            out.append(where).append(": ").append(severity).append(": ").append(diagnostic.message()).append('\n');
            String line = source(where.file()).line(where.line());
            out.append("  ").append(line).append('\n');
            out.append("  ").append(caretIndent(line, where.column())).append("^\n");
        }
        diagnostic.hint().ifPresent(hint -> out.append("  hint: ").append(hint).append('\n'));
        for (int i = where.includedFrom().size() - 1; i >= 0; i--) {
            SourceRef site = where.includedFrom().get(i);
            String statement = LineText.firstWord(LineText.code(source(site.file()).line(site.line())));
            out.append(statement.equals("use") ? "  in the macro used at " : "  included from ")
                    .append(site.file()).append(':').append(site.line()).append('\n');
        }
        return out.toString();
    }

    /** Blanks up to the column, keeping the line's tabs so the caret lines up under any tab width. */
    private static String caretIndent(String line, int column) {
        StringBuilder indent = new StringBuilder();
        for (int i = 0; i < Math.min(column - 1, line.length()); i++) {
            indent.append(line.charAt(i) == '\t' ? '\t' : ' ');
        }
        return indent.toString();
    }

    private SourceFile source(String name) {
        return files.getOrDefault(name, new SourceFile(name, java.util.List.of()));
    }
}
