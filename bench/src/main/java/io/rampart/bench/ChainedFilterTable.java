package io.rampart.bench;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import io.rampart.syntax.SourcedRuleset;
import java.util.ArrayList;
import java.util.List;

/**
 * The filter table the tracer's and the analysis' benchmarks read: INPUT jumping by source /16
 * into the user chains {@code C0}, {@code C1}, ... of address-and-port rules.
 */
final class ChainedFilterTable {

    private ChainedFilterTable() {
    }

    /** INPUT's jumps: {@code -A INPUT -s 10.N.0.0/16 -j CN} for each chain. */
    static List<String> jumps(int chains) {
        List<String> jumps = new ArrayList<>();
        for (int c = 0; c < chains; c++) {
            jumps.add("-A INPUT -s 10." + c + ".0.0/16 -j C" + c);
        }
        return jumps;
    }

    /** The table with its built-in chains, {@code chains} user chains and {@code rules}, parsed. */
    static SourcedRuleset parse(int chains, List<String> rules) throws RulesetSyntaxException {
        return new RulesetParser(StandardExtensions.registry(), Family.IPV4,
                NameDatabase.system()).parseWithLines(text(chains, rules));
    }

    /** The table as iptables-save text. */
    static String text(int chains, List<String> rules) {
        StringBuilder text = new StringBuilder("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (int c = 0; c < chains; c++) {
            text.append(":C").append(c).append(" - [0:0]\n");
        }
        rules.forEach(r -> text.append(r).append('\n'));
        return text.append("COMMIT\n").toString();
    }
}
