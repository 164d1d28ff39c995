package io.rampart.api;

import io.rampart.model.Rule;
import java.util.List;

/**
 * One rule line in canonical form: what {@code canon --json} prints for each line it reads.
 *
 * @param line      the line's number in the input, from 1
 * @param canonical one line per rule the input stands for (several for {@code -s a,b}); null on error
 * @param rules     the rule model of each; null on error
 * @param column    where the error is, when it can be pointed at
 */
public record CanonLine(int line, String input, List<String> canonical, List<Rule> rules, String error,
                        Integer column) {

    public static CanonLine blank(int line, String input) {
        return new CanonLine(line, input, List.of(), List.of(), null, null);
    }
}
