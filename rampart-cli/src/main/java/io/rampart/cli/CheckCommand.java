package io.rampart.cli;

import io.rampart.api.DeadRuleWarnings;
import io.rampart.api.RulesetFile;
import io.rampart.config.Diagnostic;
import io.rampart.config.FamilyRuleset;
import io.rampart.config.RulesetSource;
import io.rampart.config.SourceRef;
import io.rampart.model.Family;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Reads and checks a ruleset file without the kernel and reports every finding. This class is the
 * definition of the command's arguments (help, man page, completions); their plain forms are also
 * read without picocli, by {@link CheckArguments}, with the option names below.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check FILE and the files it includes without touching the kernel: syntax, every option,"
                + " the rules as a whole. Every error and warning is reported, each as"
                + " `file:line:col: error: message' with its line and a caret.",
                "Exit 0 when there is no error (warnings are printed), 1 otherwise. Apply-time values"
                        + " (@addr, @host) are checked for form only."})
final class CheckCommand implements Callable<Integer>, WritesOutput {

    static final String IPV4 = "-4";
    static final String IPV6 = "-6";
    static final String JSON = "--json";
    static final String EXPAND = "--expand";
    static final String NO_DEAD_RULES = "--no-dead-rules";

    @Parameters(index = "0", paramLabel = "FILE", description = "A ruleset: iptables-save text or the Rampart"
            + " language (docs/language.md).")
    Path file;

    @Option(names = IPV4, description = "Tables that name no family are IPv4 (iptables), the default.")
    boolean ipv4;

    @Option(names = IPV6, description = "Tables that name no family are IPv6 (ip6tables).")
    boolean ipv6;

    @Option(names = JSON, description = "The findings as a JSON list on stdout.")
    boolean json;

    @Option(names = EXPAND, description = "Print the iptables-restore text FILE stands for, per family.")
    boolean expand;

    @Option(names = NO_DEAD_RULES, description = "Skip the warnings about rules no packet reaches and rules"
            + " whose removal changes nothing (an analysis over all packets; a few seconds for 10,000 rules).")
    boolean noDeadRules;

    private PrintWriter out;
    private PrintWriter err;

    @Override
    public void setOutput(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    /** One finding as --json prints it. */
    record JsonDiagnostic(String severity, String file, int line, int column, String message, String hint,
                          List<String> includedFrom) {

        static JsonDiagnostic of(Diagnostic d) {
            SourceRef where = d.where();
            return new JsonDiagnostic(d.isError() ? "error" : "warning", where.file(), where.line(), where.column(),
                    d.message(), d.hint().orElse(null),
                    where.includedFrom().stream().map(r -> r.file() + ":" + r.line()).toList());
        }
    }

    @Override
    public Integer call() {
        if (ipv4 && ipv6) {
            throw new InputException("-4 and -6 exclude each other");
        }
        RulesetSource source = RulesetFiles.load(file, ipv6 ? Family.IPV6 : Family.IPV4, Optional.empty());
        List<Diagnostic> findings = source.hasErrors() || noDeadRules ? source.diagnostics()
                : DeadRuleWarnings.with(source);
        if (json) {
            out.println(Json.document(findings.stream().map(JsonDiagnostic::of).toList()));
        } else {
            err.print(RulesetFile.render(source, findings, true) + RulesetFile.render(source, findings, false));
            err.flush();
            if (expand && !source.hasErrors()) {
                for (FamilyRuleset ruleset : source.families().values()) {
                    out.println("# " + ruleset.family().command());
                    out.print(ruleset.restoreText());
                }
            }
            out.println(summary(source, findings));
        }
        out.flush();
        return source.hasErrors() ? ExitCode.BAD_INPUT : ExitCode.OK;
    }

    private String summary(RulesetSource source, List<Diagnostic> diagnostics) {
        long errors = diagnostics.stream().filter(Diagnostic::isError).count();
        long warnings = diagnostics.size() - errors;
        String findings = plural(errors, "error") + ", " + plural(warnings, "warning");
        if (errors > 0) {
            return file + ": " + findings;
        }
        List<String> counts = source.families().values().stream()
                .map(r -> r.ruleset().family().command() + " " + plural(r.ruleset().tables().stream()
                        .mapToLong(t -> t.rules().size()).sum(), "rule"))
                .toList();
        return file + ": ok (" + String.join(", ", counts) + "); " + findings;
    }

    private static String plural(long count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }
}
