package io.rampart.syntax;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Policy;
import io.rampart.model.Rule;
import io.rampart.model.Ruleset;
import io.rampart.model.Table;
import io.rampart.model.TableRules;
import io.rampart.model.extension.ExtensionRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;

/**
 * Prints a ruleset as the kernel's iptables-save (nf_tables) does, without its comment lines:
 * tables in nft's order, built-in chains in hook order, user chains by name, rules grouped by
 * chain in that order, every counter {@code [0:0]}.
 */
public final class RulesetPrinter {

    /** The order iptables-nft lists tables in (its nft_table_type enumeration). */
    public static final List<Table> SAVE_ORDER = List.of(Table.MANGLE, Table.SECURITY, Table.RAW, Table.FILTER,
            Table.NAT);

    private final RulePrinter rules;

    public RulesetPrinter(ExtensionRegistry registry, Family family) {
        this.rules = new RulePrinter(registry, family);
    }

    public String print(Ruleset ruleset) {
        StringBuilder out = new StringBuilder();
        for (Table table : SAVE_ORDER) {
            Optional<TableRules> section = ruleset.table(table);
            if (section.isPresent() && (!section.get().chains().isEmpty() || !section.get().rules().isEmpty())) {
                print(section.get(), out);
            }
        }
        return out.toString();
    }

    public void print(TableRules section, StringBuilder out) {
        out.append('*').append(section.table().label()).append('\n');
        List<Chain> chains = chainsInSaveOrder(section);
        for (Chain chain : chains) {
            out.append(':').append(chain.name()).append(' ')
                    .append(chain.policyIfBuiltin().map(Policy::name).orElse("-")).append(" [0:0]\n");
        }
        Map<String, List<Rule>> byChain = new HashMap<>();
        for (Rule rule : section.rules()) {
            byChain.computeIfAbsent(rule.chain(), c -> new ArrayList<>()).add(rule);
        }
        for (Chain chain : chains) {
            for (Rule rule : byChain.getOrDefault(chain.name(), List.of())) {
                out.append(rules.print(rule)).append('\n');
            }
        }
        out.append("COMMIT\n");
    }

    /** Built-in chains (declared or not, ACCEPT unless declared otherwise) then user chains by name. */
    public static List<Chain> chainsInSaveOrder(TableRules section) {
        List<Chain> out = new ArrayList<>();
        for (String builtin : section.table().builtinChains()) {
            Chain chain = section.chain(builtin).orElse(new Chain(builtin, Policy.ACCEPT));
            // A built-in chain whose policy the ruleset leaves alone has the kernel's default.
            out.add(chain.policy() == null ? new Chain(builtin, Policy.ACCEPT, chain.sharing()) : chain);
        }
        section.chains().stream()
                .filter(c -> !section.table().isBuiltinChain(c.name()))
                .sorted(Comparator.comparing(Chain::name, RulesetPrinter::compareBytes))
                .forEach(out::add);
        return out;
    }

    /** strcmp order: by unsigned bytes, not by Java's UTF-16 units. */
    private static int compareBytes(String a, String b) {
        byte[] x = a.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] y = b.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return java.util.Arrays.compareUnsigned(x, y);
    }
}
