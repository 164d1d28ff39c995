package io.rampart.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The man page and the bash and zsh completions, generated from the command definitions so that
 * they list what the command line accepts. {@code scripts/package} runs {@link #main} at build time.
 */
public final class CommandDocs {

    /** The files {@link #main} writes, by name. */
    static final String MAN_PAGE = "rampart.1";
    static final String BASH = "rampart.bash";
    static final String ZSH = "_rampart";

    private final CommandSpec root;

    CommandDocs() {
        this.root = Main.everyCommand().getCommandSpec();
    }

    /** Writes {@value #MAN_PAGE}, {@value #BASH} and {@value #ZSH} into the directory given. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CommandDocs DIRECTORY");
            System.exit(ExitCode.USAGE);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        CommandDocs docs = new CommandDocs();
        Files.writeString(dir.resolve(MAN_PAGE), docs.manPage(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(BASH), docs.bash(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(ZSH), docs.zsh(), StandardCharsets.UTF_8);
    }

    CommandSpec rootSpec() {
        return root;
    }

    /** The visible commands under {@code spec}, in the order they were registered. */
    static List<CommandSpec> visible(CommandSpec spec) {
        List<CommandSpec> shown = new ArrayList<>();
        for (CommandLine sub : spec.subcommands().values()) {
            CommandSpec child = sub.getCommandSpec();
            if (!child.usageMessage().hidden() && !shown.contains(child)) {
                shown.add(child);
            }
        }
        return shown;
    }

    /** picocli's script, without its {@code #!} line: completions are sourced, never run. */
    String bash() {
        String script = AutoComplete.bash("rampart", root.commandLine());
        return script.startsWith("#!") ? script.substring(script.indexOf('\n') + 1) : script;
    }

    // ---- zsh

    /** A {@code #compdef} file: one function per command, options with their descriptions, files for parameters. */
    String zsh() {
        StringBuilder out = new StringBuilder("#compdef rampart\n# Generated from the command definitions of "
                + version() + ".\n\n");
        zshFunction(root, out);
        out.append("_rampart \"$@\"\n");
        return out.toString();
    }

    private static String function(CommandSpec spec) {
        return "_" + spec.qualifiedName("_").replace('-', '_');
    }

    private void zshFunction(CommandSpec spec, StringBuilder out) {
        List<CommandSpec> subs = visible(spec);
        out.append(function(spec)).append("() {\n");
        if (subs.isEmpty()) {
            out.append("  _arguments -s");
            for (OptionSpec option : spec.options()) {
                if (!option.hidden()) {
                    out.append(" \\\n    ").append(zshOption(option));
                }
            }
            for (PositionalParamSpec parameter : spec.positionalParameters()) {
                if (!parameter.hidden()) {
                    out.append(" \\\n    '").append(parameter.isMultiValue() ? "*" : "").append(':')
                            .append(zshText(parameter.paramLabel())).append(":_files'");
                }
            }
            out.append("\n}\n\n");
            return;
        }
        out.append("  local -a commands\n  commands=(\n");
        for (CommandSpec sub : subs) {
            out.append("    '").append(sub.name()).append(':').append(zshText(summary(sub))).append("'\n");
        }
        out.append("  )\n  if (( CURRENT == 2 )); then\n    _describe -t commands '")
                .append(spec.qualifiedName()).append(" command' commands\n    return\n  fi\n")
                .append("  local command=$words[2]\n  shift words\n  (( CURRENT-- ))\n  case $command in\n");
        for (CommandSpec sub : subs) {
            out.append("    ").append(String.join("|", names(sub))).append(") ").append(function(sub))
                    .append(" ;;\n");
        }
        out.append("  esac\n}\n\n");
        for (CommandSpec sub : subs) {
            zshFunction(sub, out);
        }
    }

    private static List<String> names(CommandSpec spec) {
        List<String> names = new ArrayList<>(List.of(spec.name()));
        names.addAll(List.of(spec.aliases()));
        return names;
    }

    private static String zshOption(OptionSpec option) {
        String description = "[" + zshText(first(option.renderedDescription())) + "]";
        String argument = option.typeInfo().isBoolean() ? "" : ":" + zshText(option.paramLabel())
                + (option.typeInfo().getType() == Path.class ? ":_files" : ": ");
        if (option.names().length == 1) {
            return "'" + option.names()[0] + description + argument + "'";
        }
        String all = String.join(" ", option.names());
        return "'(" + all + ")'{" + String.join(",", option.names()) + "}'" + description + argument + "'";
    }

    /** Text inside a single-quoted _arguments spec: no quotes, brackets or colons. */
    private static String zshText(String text) {
        return text.replaceAll("['\\[\\]:`]", "").replace("\\", "");
    }

    // ---- man page

    /** The page in troff (man(7) macros): every command with its options and parameters. */
    String manPage() {
        StringBuilder out = new StringBuilder();
        out.append(".TH RAMPART 1 \"\" \"").append(version()).append("\" \"User Commands\"\n");
        out.append(".SH NAME\nrampart \\- ").append(roff(first(root.usageMessage().description())
                .replaceAll("\\.$", "").toLowerCase(Locale.ROOT))).append('\n');
        out.append(".SH SYNOPSIS\n.B rampart\n\\fICOMMAND\\fR [\\fIOPTION\\fR]... [\\fIARGUMENT\\fR]...\n");
        out.append(".SH DESCRIPTION\n").append(paragraphs(root.usageMessage().description()));
        out.append(".SH COMMANDS\n");
        for (CommandSpec sub : visible(root)) {
            command(sub, out);
        }
        out.append(".SH EXIT STATUS\n");
        for (String[] status : List.of(new String[] {"0", "success; for status, the kernel holds the file"},
                new String[] {"1", "bad input: a ruleset, a value or a file that is wrong, named with where"},
                new String[] {"2", "usage: an unknown command or option"},
                new String[] {"3", "drift: the kernel differs from the file (status)"},
                new String[] {"4", "the system refused or lacks something (iptables, a namespace, root)"})) {
            out.append(".TP\n.B ").append(status[0]).append('\n').append(roff(status[1])).append('\n');
        }
        out.append(".SH FILES\n");
        for (String[] file : List.of(new String[] {"/etc/rampart/rules", "the ruleset rampart.service applies at"
                        + " boot, before the network, and reapplies on systemctl reload"},
                new String[] {"/etc/rampart/fallback.rules", "what rampart.service loads instead when the ruleset"
                        + " cannot be read or the kernel refuses it: SSH in, everything else dropped"},
                new String[] {"/run/rampart", "pending confirmations, the agent's state and the token of"
                        + " rampart serve"},
                new String[] {"/run/rampart/memo", "what the last verified apply of each namespace and family was"
                        + " computed from (files, include directories, looked-up values, the build) and a digest of"
                        + " the declared chains it left: while all of it holds, apply answers a no-op without reading"
                        + " the file; apply --no-memo reads it anyway"})) {
            out.append(".TP\n.I ").append(file[0]).append('\n').append(roff(file[1])).append('\n');
        }
        out.append(".SH SEE ALSO\n.BR iptables (8),\n.BR iptables\\-save (8),\n.BR iptables\\-restore (8),\n"
                + ".BR nft (8),\n.BR systemd.service (5)\n");
        return out.toString();
    }

    private void command(CommandSpec spec, StringBuilder out) {
        out.append(".SS \"").append(roff(spec.qualifiedName())).append(synopsisTail(spec)).append("\"\n");
        out.append(paragraphs(spec.usageMessage().description()));
        for (PositionalParamSpec parameter : spec.positionalParameters()) {
            if (!parameter.hidden()) {
                out.append(".TP\n.I ").append(roff(parameter.paramLabel())).append('\n')
                        .append(roff(String.join(" ", parameter.renderedDescription()))).append('\n');
            }
        }
        for (OptionSpec option : spec.options()) {
            if (option.hidden() || option.usageHelp() || option.versionHelp()) {
                continue;
            }
            out.append(".TP\n");
            List<String> names = new ArrayList<>();
            for (String name : option.names()) {
                names.add("\\fB" + roff(name) + "\\fR");
            }
            out.append(String.join(", ", names));
            if (!option.typeInfo().isBoolean()) {
                out.append(" \\fI").append(roff(option.paramLabel())).append("\\fR");
            }
            out.append('\n').append(roff(String.join(" ", option.renderedDescription()))).append('\n');
        }
        for (CommandSpec sub : visible(spec)) {
            command(sub, out);
        }
    }

    private static String synopsisTail(CommandSpec spec) {
        StringBuilder tail = new StringBuilder();
        if (!visible(spec).isEmpty()) {
            tail.append(" COMMAND");
        }
        if (spec.options().stream().anyMatch(o -> !o.hidden() && !o.usageHelp() && !o.versionHelp())) {
            tail.append(" [OPTION]...");
        }
        for (PositionalParamSpec parameter : spec.positionalParameters()) {
            if (!parameter.hidden()) {
                tail.append(' ').append(parameter.paramLabel());
            }
        }
        return roff(tail.toString());
    }

    private static String paragraphs(String[] lines) {
        return lines.length == 0 ? "" : roff(joined(lines)) + "\n";
    }

    /** Description lines as one text; picocli's {@code %n} line breaks become blanks. */
    private static String joined(String[] lines) {
        return String.join(" ", lines).replace("%n", " ").strip();
    }

    /** Text for troff: backslashes and hyphens escaped, no line taken for a request. */
    static String roff(String text) {
        String escaped = text.replace("\\", "\\e").replace("-", "\\-").replace("\"", "\\(dq");
        return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
    }

    private static String summary(CommandSpec spec) {
        return first(spec.usageMessage().description());
    }

    /** The first sentence of a description. */
    private static String first(String[] lines) {
        String text = joined(lines);
        int end = text.indexOf(". ");
        return end < 0 ? text : text.substring(0, end + 1);
    }

    private String version() {
        return root.version().length == 0 ? "rampart" : root.version()[0];
    }
}
