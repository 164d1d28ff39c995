package io.rampart.api.adopt;

import io.rampart.syntax.RuleSyntaxException;
import io.rampart.syntax.Token;
import io.rampart.syntax.Tokenizer;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A rule line's target (a chain or an extension), read from its words as iptables-restore splits them. */
final class RuleTarget {

    private static final Set<String> JUMPS = Set.of("-j", "--jump", "-g", "--goto");

    private RuleTarget() {
    }

    static Optional<String> of(String rule) {
        try {
            List<Token> words = Tokenizer.split(rule);
            for (int i = 0; i + 1 < words.size(); i++) {
                if (JUMPS.contains(words.get(i).text())) {
                    return Optional.of(words.get(i + 1).text());
                }
            }
            return Optional.empty();
        } catch (RuleSyntaxException e) {
            return Optional.empty();
        }
    }
}
