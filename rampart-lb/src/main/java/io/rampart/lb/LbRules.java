package io.rampart.lb;

import io.rampart.model.Family;
import io.rampart.model.Ruleset;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.NameDatabase;
import io.rampart.reconcile.DesiredState;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The nat rules of a set of profiles of one family, as one desired state: per profile a chain with
 * one DNAT rule per destination (a random split), a jump to it from the capturing chain, and for a
 * masquerading proxy one MASQUERADE rule in POSTROUTING. The built-in chains are shared at their
 * head, so rules other tools keep there stay.
 */
public final class LbRules {

    /** Names the desired state in messages. */
    public static final String SOURCE = "load balancer profiles";

    private final ExtensionRegistry registry;

    public LbRules(ExtensionRegistry registry) {
        this.registry = registry;
    }

    /** The ruleset text of {@code profiles}, in iptables-restore format with Rampart's directives. */
    public static String text(List<Profile> profiles) {
        List<Profile> sorted = profiles.stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
        Map<String, List<String>> hooks = new LinkedHashMap<>();
        for (String hook : List.of("PREROUTING", "OUTPUT", "POSTROUTING")) {
            hooks.put(hook, new ArrayList<>());
        }
        List<String> chains = new ArrayList<>();
        List<String> chainRules = new ArrayList<>();
        for (Profile profile : sorted) {
            String chain = profile.chain();
            String capture = "-d " + profile.source().hostMatch() + " "
                    + profile.protocol().destinationPort(profile.source().port());
            hooks.get(profile.mode().hook()).add("-A " + profile.mode().hook() + " " + capture + " -j " + chain);
            chains.add(":" + chain + " - [0:0]");
            chainRules.addAll(chainRules(profile));
            if (profile.mode() == Mode.PROXY && profile.masquerade()) {
                hooks.get("POSTROUTING").add("-A POSTROUTING -p " + profile.protocol().label()
                        + " -m conntrack --ctstate DNAT --ctorigdst " + profile.source().hostMatch()
                        + " --ctorigdstport " + profile.source().port() + " -j MASQUERADE");
            }
        }
        StringBuilder text = new StringBuilder("*nat\n");
        chains.forEach(c -> text.append(c).append('\n'));
        hooks.forEach((hook, rules) -> {
            if (!rules.isEmpty()) {
                text.append("# rampart: shared ").append(hook).append(" head\n");
            }
        });
        hooks.values().forEach(rules -> rules.forEach(r -> text.append(r).append('\n')));
        chainRules.forEach(r -> text.append(r).append('\n'));
        return text.append("COMMIT\n").toString();
    }

    /** The rules of a profile's own chain: an optional LOG rule, then the split. */
    static List<String> chainRules(Profile profile) {
        String chain = profile.chain();
        List<String> rules = new ArrayList<>();
        if (profile.logEnabled()) {
            // IPTLB's prefixes ran past the kernel's 29 characters and were cut; this one fits.
            rules.add("-A " + chain + " -j LOG --log-prefix \"IPTLB:" + ChainNames.shortId(chain)
                    + ": \" --log-level " + profile.logLevel());
        }
        List<Double> probabilities = Split.probabilities(profile.destinations().stream()
                .map(Destination::weight).toList());
        for (int i = 0; i < profile.destinations().size(); i++) {
            String split = i == probabilities.size() - 1 ? ""
                    : String.format(Locale.ROOT, " -m statistic --mode random --probability %.10f",
                            probabilities.get(i));
            rules.add("-A " + chain + " -p " + profile.protocol().label() + split + " -j DNAT --to-destination "
                    + profile.destinations().get(i).endpoint());
        }
        return rules;
    }

    /** The desired state of {@code profiles}, all of {@code family}; with none, everything is released. */
    public DesiredState desired(Family family, List<Profile> profiles) {
        String text = profiles.isEmpty() ? "" : text(profiles);
        try {
            // Generated lines name protocols as iptables itself does and addresses by number: no host's names.
            Ruleset parsed = new RulesetParser(registry, family, NameDatabase.builtin()).parse(text);
            // Lines of generated text would mean nothing to the user: every rule is left unlocated.
            return DesiredState.of(parsed, registry, SOURCE, (table, index) -> null);
        } catch (RulesetSyntaxException e) {
            throw new IllegalStateException("generated rules do not parse: " + e.located() + "\n" + text, e);
        }
    }

    /** The canonical lines of a profile's chain in {@code desired}: as iptables-save prints them. */
    public static List<String> chainLines(DesiredState desired, Profile profile) {
        return desired.table(Table.NAT).map(t -> t.rulesOf(profile.chain()).stream()
                .map(DesiredState.DesiredRule::line).toList()).orElse(List.of());
    }
}
