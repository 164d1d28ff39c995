package io.rampart.config.check;

import io.rampart.config.Diagnostic;
import io.rampart.model.Option;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.Quoting;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.syntax.RuleLayout.WrittenExtension;
import io.rampart.syntax.RuleLayout.WrittenOption;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Text the kernel keeps in a fixed-size field and cuts without a word ({@code --log-prefix} at 29
 * bytes, {@code --comment} at 255, ...): the canonical rule already holds what the kernel keeps,
 * so the cut shows by comparing it with what was written. Free text is the only kind of value
 * whose canonical form is the written text itself, shortened or not.
 */
final class CutValues {

    /** Bytes a field must have left after a value for the value to be certainly uncut. */
    private static final int ROOM = 4;

    private final TableCheck check;
    /** Free text reads nothing of its context. */
    private final ValueContext context;

    CutValues(TableCheck check) {
        this.check = check;
        this.context = new ValueContext(check.family, check.table, null, false, null, NameDatabase.builtin());
    }

    void run() {
        for (int i = 0; i < check.section.rules().size(); i++) {
            for (TableCheck.RuleExtension extension : check.extensions(i)) {
                checkOptions(i, extension.spec(), extension.options(), extension.written());
            }
        }
    }

    /**
     * Whether the field holds {@code kept} and {@value #ROOM} bytes more: then nothing was cut (a cut
     * ends at most 3 bytes short of the field's end, where a character would be split), and the
     * rule's line need not be read again, which for every rule with a comment would cost as much as
     * parsing the file once more.
     */
    private boolean roomLeft(ValueType type, String kept) {
        String longer = kept + "x".repeat(ROOM);
        try {
            return type.canonical(longer, context).equals(longer);
        } catch (InvalidValueException e) {
            return false;
        }
    }

    /** {@code written} is the extension as written, read only for options that hold free text. */
    private void checkOptions(int index, ExtensionSpec spec, List<Option> options,
                              Supplier<Optional<WrittenExtension>> written) {
        for (int o = 0; o < options.size(); o++) {
            Option option = options.get(o);
            Optional<OptionSpec> optionSpec = spec.option(option.name());
            if (optionSpec.isEmpty() || optionSpec.get().args().size() != 1
                    || optionSpec.get().args().get(0).quoting() != Quoting.WHEN_NEEDED
                    || roomLeft(optionSpec.get().args().get(0), option.arg())) {
                continue;
            }
            int which = o;
            Optional<WrittenOption> given = written.get().flatMap(e -> WrittenRule.option(e, options, which))
                    .filter(g -> g.arguments().size() == 1);
            if (given.isEmpty()) {
                continue;
            }
            String kept = option.arg();
            String writtenText = given.get().arguments().get(0).text();
            int writtenBytes = writtenText.getBytes(StandardCharsets.UTF_8).length;
            int keptBytes = kept.getBytes(StandardCharsets.UTF_8).length;
            if (!writtenText.equals(kept) && writtenBytes > keptBytes) {
                String name = OptionSpec.spell(option.name());
                check.ruleFinding(index, Diagnostic.error(check.words(index).argument(given.get()), name + " is "
                        + writtenBytes + " bytes long: the kernel keeps only " + keptBytes + ", `" + kept + "'")
                        .withHint("shorten it to at most " + keptBytes + " bytes"));
            }
        }
    }
}
