package io.rampart.syntax;

import io.rampart.model.Hook;
import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.Target;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Makes the equal parts of the rules of one parse one object each: chain names, options, matches,
 * targets and lists of them. A large ruleset repeats most of them ({@code -p tcp}, {@code -m
 * conntrack --ctstate NEW}, {@code -j ACCEPT}, its chain's name on every rule), and the parts are
 * immutable values, so sharing them changes nothing but the memory they take. Scoped to one parse
 * (a {@link RulesetParser} makes one per text), so nothing outlives the ruleset it was made for.
 *
 * <p>An option is shared only with one of equal values as well as equal text, and a match, target
 * or list only with one made of the very same (shared) parts, so a shared part is the same value
 * in every respect a reader can see.
 *
 * <p>It also keeps the rules each line's words stood for, so a line whose words after the chain
 * were read before in the same table, in a chain of the same hook (or in user chains), is not read
 * again: its rules are the same but for their chain ({@code -m conntrack --ctstate INVALID -j DROP}
 * at the end of every chain).
 */
public final class RuleInterner {

    /**
     * What the rules of a line depend on besides their chain: the table, the hook of a built-in
     * chain (null for a user chain), and the line's text after the chain's word.
     */
    record Words(Table table, Hook hook, String text) {
        // Written out, as Rule's are.
        @Override
        public boolean equals(Object other) {
            return other instanceof Words words && table == words.table && hook == words.hook
                    && text.equals(words.text);
        }

        @Override
        public int hashCode() {
            return (table.hashCode() * 31 + Objects.hashCode(hook)) * 31 + text.hashCode();
        }
    }

    private final Map<String, String> names = new HashMap<>();
    private final Map<Option, Option> options = new HashMap<>();
    private final Map<List<Option>, List<Option>> optionLists = new HashMap<>();
    private final Map<Match, Match> matches = new HashMap<>();
    private final Map<List<Match>, List<Match>> matchLists = new HashMap<>();
    private final Map<Target, Target> targets = new HashMap<>();
    private final Map<Words, List<Rule>> lines = new HashMap<>();

    /** The rules of words read before (in whatever chain they were), or null. */
    List<Rule> rulesOf(Words words) {
        return lines.get(words);
    }

    void remember(Words words, List<Rule> rules) {
        lines.putIfAbsent(words, rules);
    }

    /** {@code rules}, made of their very parts, in {@code chain}. */
    List<Rule> inChain(String chain, List<Rule> rules) {
        String name = name(chain);
        List<Rule> moved = new ArrayList<>(rules.size());
        for (Rule rule : rules) {
            moved.add(new Rule(name, rule.header(), rule.matches(), rule.target()));
        }
        return moved;
    }

    /** A rule made of the shared instances of its parts. */
    Rule rule(String chain, List<Option> header, List<Match> ruleMatches, Target target) {
        return new Rule(name(chain), optionList(header), matchList(ruleMatches), target == null ? null : target(target));
    }

    String name(String name) {
        return names.computeIfAbsent(name, n -> n);
    }

    private Option option(Option option) {
        Option known = options.putIfAbsent(option, option);
        if (known == null) {
            return option;
        }
        return known.typed() == option.typed() && known.values().equals(option.values()) ? known : option;
    }

    private List<Option> optionList(List<Option> given) {
        return sharedList(given, this::option, optionLists);
    }

    private Match match(Match match) {
        Match made = new Match(name(match.extension()), optionList(match.options()));
        Match known = matches.putIfAbsent(made, made);
        return known == null ? made : known.options() == made.options() ? known : made;
    }

    private List<Match> matchList(List<Match> given) {
        return sharedList(given, this::match, matchLists);
    }

    /** The list of {@code given}'s parts each shared, itself shared when made of the very same parts. */
    private static <T> List<T> sharedList(List<T> given, UnaryOperator<T> share, Map<List<T>, List<T>> known) {
        List<T> shared = new ArrayList<>(given.size());
        for (T part : given) {
            shared.add(share.apply(part));
        }
        return sameParts(known, List.copyOf(shared));
    }

    private Target target(Target target) {
        Target made = new Target(name(target.name()), target.kind(), optionList(target.options()));
        Target known = targets.putIfAbsent(made, made);
        return known == null ? made : known.options() == made.options() ? known : made;
    }

    /** The known list of the very same elements, else this one (remembered when it is the first). */
    private static <T> List<T> sameParts(Map<List<T>, List<T>> known, List<T> list) {
        List<T> earlier = known.putIfAbsent(list, list);
        if (earlier == null) {
            return list;
        }
        for (int i = 0; i < list.size(); i++) {
            if (earlier.get(i) != list.get(i)) {
                return list;
            }
        }
        return earlier;
    }
}
