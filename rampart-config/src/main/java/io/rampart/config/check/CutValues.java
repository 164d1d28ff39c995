package io.rampart.config.check;

import io.rampart.config.Diagnostic;
import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.Quoting;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Text the kernel keeps in a fixed-size field and cuts without a word ({@code --log-prefix} at 29
 * bytes, {@code --comment} at 255, ...): the canonical rule already holds what the kernel keeps,
 * so the cut shows by comparing it with what was written. Free text is the only kind of value
 * whose canonical form is the written text itself, shortened or not.
 */
final class CutValues {

    private final TableCheck check;

    CutValues(TableCheck check) {
        this.check = check;
    }

    void run() {
        List<Rule> rules = check.section.rules();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            for (Match match : rule.matches()) {
                Optional<ExtensionSpec> spec = check.registry.match(match.extension(), check.family);
                if (spec.isPresent()) {
                    checkOptions(i, spec.get(), match.options());
                }
            }
            if (rule.target() != null) {
                Optional<ExtensionSpec> spec = check.registry.target(rule.target().name(), check.family);
                if (spec.isPresent()) {
                    checkOptions(i, spec.get(), rule.target().options());
                }
            }
        }
    }

    private void checkOptions(int index, ExtensionSpec spec, List<Option> options) {
        for (Option option : options) {
            Optional<OptionSpec> optionSpec = spec.option(option.name());
            if (optionSpec.isEmpty() || optionSpec.get().args().size() != 1
                    || optionSpec.get().args().get(0).quoting() != Quoting.WHEN_NEEDED) {
                continue;
            }
            RuleWords words = check.words(index);
            Optional<String> written = words.argument(spec, optionSpec.get());
            String kept = option.arg();
            int writtenBytes = written.map(w -> w.getBytes(StandardCharsets.UTF_8).length).orElse(0);
            int keptBytes = kept.getBytes(StandardCharsets.UTF_8).length;
            if (written.isPresent() && !written.get().equals(kept) && writtenBytes > keptBytes) {
                String name = OptionSpec.spell(option.name());
                check.ruleFinding(index, Diagnostic.error(words.argumentWhere(spec, optionSpec.get()), name + " is "
                        + writtenBytes + " bytes long: the kernel keeps only " + keptBytes + ", `" + kept + "'")
                        .withHint("shorten it to at most " + keptBytes + " bytes"));
            }
        }
    }
}
