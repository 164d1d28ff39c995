package io.rampart.cli;

import io.rampart.analysis.ExpectationProver;
import io.rampart.analysis.Expectations;
import io.rampart.analysis.RulesetDiff;
import io.rampart.config.Diagnostic;
import io.rampart.config.DiagnosticPrinter;
import io.rampart.config.SourceFile;
import io.rampart.config.SourceRef;
import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An expectations file read, proved against a ruleset, and its answers as text or JSON: for test and apply. */
final class ExpectationFiles {

    private ExpectationFiles() {
    }

    /** An apply refused because expectations do not hold for its ruleset (exit 3): the file itself is fine. */
    static final class Refused extends Failure {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(Category.DRIFT, message);
        }
    }

    /** The answers for one file against one ruleset, as {@code --json} prints them. */
    record Report(String expectations, String ruleset, String family, boolean passed, int failed, int unknown,
                  List<JsonResult> results) {
    }

    /** One expectation's answer as {@code --json} prints it. */
    record JsonResult(int line, String expectation, String status, String chain, String region,
                      Map<String, String> packet, RulesetDiff.Verdict verdict, List<String> onlyIf, Boolean traced) {
    }

    /** Reads {@code file} for {@code family}; its mistakes, every one, as check prints them, become the InputException. */
    static Expectations read(Path file, Family family) {
        List<String> lines = TraceCommand.read(file);
        Expectations expectations = Expectations.parse(file.toString(), lines, family, NameDatabase.system());
        if (expectations.hasErrors()) {
            throw mistakes(file.toString(), lines, expectations.problems());
        }
        return expectations;
    }

    /** Every mistake of {@code file} as check prints errors: file:line:col, the line, a caret and a hint. */
    private static InputException mistakes(String file, List<String> lines, List<Expectations.Problem> problems) {
        DiagnosticPrinter printer = new DiagnosticPrinter(Map.of(file, new SourceFile(file, lines)));
        StringBuilder out = new StringBuilder();
        for (Expectations.Problem p : problems) {
            Diagnostic d = Diagnostic.error(new SourceRef(file, p.line(), p.column()), p.message());
            out.append(printer.print(p.hint() == null ? d : d.withHint(p.hint())));
        }
        return new InputException(out.toString().stripTrailing());
    }

    /** Every expectation against {@code side}; a ruleset the analysis cannot judge is an input failure. */
    static Report prove(Expectations expectations, RulesetDiff.Side side) {
        List<ExpectationProver.Result> results;
        try {
            results = ExpectationProver.prove(side, expectations);
        } catch (ExpectationProver.Mistakes m) {
            throw mistakes(expectations.file(), TraceCommand.read(Path.of(expectations.file())), m.problems());
        }
        int failed = (int) results.stream().filter(r -> r.status() == ExpectationProver.Status.FAIL).count();
        int unknown = (int) results.stream().filter(r -> r.status() == ExpectationProver.Status.UNKNOWN).count();
        List<JsonResult> json = results.stream().map(r -> new JsonResult(r.line(), r.text(),
                r.status().name().toLowerCase(Locale.ROOT), r.chain(), r.region(), r.packet(), r.got(),
                r.onlyIf().isEmpty() ? null : r.onlyIf(), r.packet() == null ? null : r.traced())).toList();
        return new Report(expectations.file(), side.file(), side.ruleset().family().command(),
                failed == 0 && unknown == 0, failed, unknown, json);
    }

    /** One line per expectation, with the failing packets, a counterexample and how it is decided. */
    static String text(Report report) {
        StringBuilder b = new StringBuilder();
        for (JsonResult r : report.results()) {
            b.append(report.expectations()).append(':').append(r.line()).append(": ")
                    .append(r.status().equals("fail") ? "FAIL" : r.status()).append(": ").append(r.expectation())
                    .append('\n');
            if (r.status().equals("pass")) {
                continue;
            }
            b.append("  ").append(r.chain()).append(": ").append(r.region()).append('\n');
            if (r.onlyIf() != null) {
                r.onlyIf().forEach(c -> b.append("  only if ").append(c).append('\n'));
            }
            if (r.verdict() != null) {
                RulesetDiff.Verdict v = r.verdict();
                b.append("  ").append(v.verdict()).append(" by ").append(v.rule() == 0 ? v.where()
                        : v.where() + " (" + v.chain() + " rule " + v.rule() + ")").append('\n');
                b.append("  e.g. rampart trace ").append(RulesetDiff.flags(r.packet()))
                        .append(Boolean.TRUE.equals(r.traced()) ? " (traced)" : "").append('\n');
            }
        }
        int total = report.results().size();
        b.append(total).append(total == 1 ? " expectation: " : " expectations: ")
                .append(total - report.failed() - report.unknown()).append(" passed, ").append(report.failed())
                .append(" failed, ").append(report.unknown()).append(" unknown\n");
        return b.toString();
    }
}
