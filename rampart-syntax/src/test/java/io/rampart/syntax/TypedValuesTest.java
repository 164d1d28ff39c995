package io.rampart.syntax;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.model.value.AddressRange;
import io.rampart.model.value.FlagSet;
import io.rampart.model.value.IcmpType;
import io.rampart.model.value.InterfaceName;
import io.rampart.model.value.NatPorts;
import io.rampart.model.value.NatRange;
import io.rampart.model.value.Network;
import io.rampart.model.value.NumberValue;
import io.rampart.model.value.Protocol;
import io.rampart.model.value.Range;
import io.rampart.model.value.Ranges;
import io.rampart.model.value.Value;
import io.rampart.model.value.ValueMask;
import io.rampart.model.value.WordSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Over every case the kernel accepted: each option the parser gives has typed values, and each
 * value is the one its type reads back from its own canonical text, so the canonical text (which
 * {@link KernelCasesTest} holds to the kernel's) and the value say the same thing.
 */
class TypedValuesTest {

    private final ExtensionRegistry registry = StandardExtensions.registry();

    @Test
    void everyParsedValueIsTheValueOfItsCanonicalText() throws RuleSyntaxException {
        List<String> wrong = new ArrayList<>();
        Set<Class<?>> kinds = new HashSet<>();
        for (KernelCaseFile file : KernelCases.files()) {
            for (KernelCase c : file.cases()) {
                if (!c.answer().recorded() || c.answer().refused()) {
                    continue;
                }
                RuleParser parser = new RuleParser(registry, c.family(), NameDatabase.system());
                for (Rule rule : parser.parseLine(c.line(), c.table())) {
                    check(c, registry.header(c.family()), rule.header(), wrong, kinds);
                    for (Match match : rule.matches()) {
                        check(c, registry.match(match.extension(), c.family()).orElseThrow(), match.options(), wrong,
                                kinds);
                    }
                    if (rule.target() != null && !rule.target().options().isEmpty()) {
                        check(c, registry.target(rule.target().name(), c.family()).orElseThrow(),
                                rule.target().options(), wrong, kinds);
                    }
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(kinds).contains(Range.class, Ranges.class, Network.class, AddressRange.class, ValueMask.class,
                FlagSet.class, WordSet.class, InterfaceName.class, Protocol.class, IcmpType.class, NumberValue.class,
                NatRange.class, NatPorts.class);
    }

    private static void check(KernelCase c, ExtensionSpec spec, List<Option> options, List<String> wrong,
                              Set<Class<?>> kinds) {
        for (Option option : options) {
            if (!option.typed()) {
                wrong.add(c.where() + ": --" + option.name() + " is not typed");
                continue;
            }
            OptionSpec optionSpec = spec.option(option.name()).orElseThrow();
            for (int i = 0; i < option.values().size(); i++) {
                Value value = option.values().get(i);
                kinds.add(value.getClass());
                Value reread = optionSpec.args().get(Math.min(i, optionSpec.args().size() - 1))
                        .value(option.args().get(i), NameDatabase.system());
                if (!reread.equals(value) || !value.text().equals(option.args().get(i))) {
                    wrong.add(c.where() + ": --" + option.name() + " " + value + " reads back as " + reread);
                }
            }
        }
    }
}
