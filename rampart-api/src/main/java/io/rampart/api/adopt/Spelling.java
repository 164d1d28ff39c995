package io.rampart.api.adopt;

import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.HostNames;
import io.rampart.syntax.RulePrinter;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RuleSyntaxException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How a file writes rules, so that a rule taken from the kernel reads like its neighbours: a file
 * that writes {@code -p tcp --dport 22} without iptables-save's {@code -m tcp} gets it that way. A
 * respelling is used only when it reads back as the very rule the kernel holds.
 */
final class Spelling {

    /** {@code -p PROTO -m PROTO}, where iptables loads the protocol's match by itself. */
    private static final Pattern IMPLICIT = Pattern.compile("(-p (tcp|udp|udplite|sctp|dccp|icmp|ipv6-icmp)) -m "
            + "(tcp|udp|udplite|sctp|dccp|icmp|icmp6)(?= )");

    private final ExtensionRegistry registry;
    private final HostNames names;
    private final boolean omitsImplicitMatches;

    Spelling(ExtensionRegistry registry, HostNames names, List<String> fileLines) {
        this.registry = registry;
        this.names = names;
        boolean writesProtocols = false;
        boolean writesImplicit = false;
        for (String line : fileLines) {
            String text = line.strip();
            if (text.matches("(-[46] )?-[AI] .*-p (tcp|udp) .*")) {
                writesProtocols = true;
                writesImplicit |= text.matches(".*-m (tcp|udp)\\b.*");
            }
        }
        this.omitsImplicitMatches = writesProtocols && !writesImplicit;
    }

    /** The kernel's rule line as the file would write it. */
    String of(String kernel, Table table, Family family) {
        if (!omitsImplicitMatches) {
            return kernel;
        }
        String respelled = IMPLICIT.matcher(kernel).replaceAll(m -> protocolMatch(m.group(2)).equals(m.group(3))
                ? m.group(1) : m.group());
        return respelled.equals(kernel) || !readsAs(respelled, kernel, table, family) ? kernel : respelled;
    }

    private static String protocolMatch(String protocol) {
        return protocol.equals("ipv6-icmp") ? "icmp6" : protocol;
    }

    private boolean readsAs(String line, String kernel, Table table, Family family) {
        try {
            List<Rule> rules = new RuleParser(registry, family, names).parseLine(line, table);
            return rules.size() == 1 && new RulePrinter(registry, family).print(rules.get(0)).equals(kernel);
        } catch (RuleSyntaxException e) {
            return false;
        }
    }
}
