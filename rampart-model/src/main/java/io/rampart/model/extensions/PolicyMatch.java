package io.rampart.model.extensions;

import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.Canonicalizer;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.extension.Words;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The policy match: the IPsec policy a packet was decapsulated by or will be encapsulated by. Its
 * element options repeat, one set per element, with {@code --next} between elements; elements
 * keep the order given.
 */
final class PolicyMatch {

    private static final int MAX_ELEMENTS = 4;

    /** The order iptables-save prints an element's options in (the tunnel destination first). */
    private static final List<String> ELEMENT_ORDER = List.of("reqid", "spi", "proto", "mode", "tunnel-dst",
            "tunnel-src");

    private static final ValueType IPSEC_PROTOCOL = Values.of("ipsec-protocol", "ah|esp|ipcomp", (raw, ctx) -> {
        String name = TupleValues.PROTOCOL_NAME.canonical(raw, ctx);
        if (!List.of("ah", "esp", "ipcomp").contains(name)) {
            throw new InvalidValueException("protocol `" + raw + "' is not one of ah, esp, ipcomp");
        }
        return name;
    });

    private PolicyMatch() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(ExtensionSpec.match("policy", "the IPsec policy that applied to the packet",
                        OptionSpec.of("dir", "in: decapsulation policy (PREROUTING, INPUT, FORWARD);"
                                + " out: encapsulation policy (FORWARD, OUTPUT, POSTROUTING)",
                                Words.choice("direction", "in", "out")).required(),
                        OptionSpec.of("pol", "ipsec: processed by IPsec (the default); none: not",
                                Words.choice("policy", "ipsec", "none")),
                        OptionSpec.flag("strict", "the elements must match the whole policy, in order"),
                        OptionSpec.of("reqid", "request id of the policy element",
                                Values.decimal(0, CNumbers.UINT32_MAX))
                                .invertible().repeatable(),
                        OptionSpec.of("spi", "security parameter index of the element",
                                Values.hex(0, CNumbers.UINT32_MAX)).invertible().repeatable(),
                        OptionSpec.of("proto", "IPsec protocol of the element", IPSEC_PROTOCOL)
                                .invertible().repeatable(),
                        OptionSpec.of("mode", "encapsulation mode of the element",
                                Words.choice("mode", "tunnel", "transport")).invertible().repeatable(),
                        OptionSpec.of("tunnel-src", "tunnel source address (tunnel mode only)",
                                TupleValues.HOST_MASK).invertible().repeatable(),
                        OptionSpec.of("tunnel-dst", "tunnel destination address (tunnel mode only)",
                                TupleValues.HOST_MASK).invertible().repeatable(),
                        OptionSpec.flag("next", "start the next policy element (needs --strict)").repeatable())
                .canonicalizedBy(Canonicalizer.inGivenOrder(PolicyMatch::canonical)));
    }

    private static List<Option> canonical(List<Option> options, ValueContext context) throws InvalidValueException {
        List<Option> head = new ArrayList<>();
        List<List<Option>> elements = new ArrayList<>();
        elements.add(new ArrayList<>());
        boolean strict = false;
        boolean none = false;
        for (Option option : options) {
            switch (option.name()) {
                case "dir" -> {
                    // The kernel refuses a policy direction where packets do not pass that way.
                    Checks.requireHook(context, "--dir " + option.arg(),
                            option.arg().equals("in") ? Hook.RECEIVING : Hook.SENDING);
                    head.add(0, option);
                }
                case "pol" -> none = option.arg().equals("none");
                case "strict" -> strict = true;
                case "next" -> {
                    if (elements.size() == MAX_ELEMENTS) {
                        throw new InvalidValueException("a policy has at most " + MAX_ELEMENTS + " elements");
                    }
                    elements.add(new ArrayList<>());
                }
                default -> addToElement(elements.get(elements.size() - 1), option, elements.size());
            }
        }
        if (elements.size() > 1 && !strict) {
            throw new InvalidValueException("--next needs --strict");
        }
        head.add(Option.of("pol", none ? "none" : "ipsec"));
        if (none) {
            if (strict) {
                throw new InvalidValueException("--pol none cannot be combined with --strict");
            }
            // The kernel keeps no elements for --pol none.
            return head;
        }
        if (strict) {
            head.add(Option.of("strict"));
        }
        List<Option> out = new ArrayList<>(head);
        for (int i = 0; i < elements.size(); i++) {
            List<Option> element = elements.get(i);
            check(element, strict, i);
            if (i > 0) {
                out.add(Option.of("next"));
            }
            element.sort(Comparator.comparingInt(o -> ELEMENT_ORDER.indexOf(o.name())));
            out.addAll(element);
        }
        return out;
    }

    private static void addToElement(List<Option> element, Option option, int number) throws InvalidValueException {
        for (Option earlier : element) {
            if (earlier.name().equals(option.name())) {
                throw new InvalidValueException("--" + option.name() + " given twice in policy element " + number
                        + ": separate elements with --next");
            }
        }
        element.add(option);
    }

    private static void check(List<Option> element, boolean strict, int index) throws InvalidValueException {
        if (strict && element.isEmpty()) {
            throw new InvalidValueException("policy element " + (index + 1) + " is empty: with --strict each element"
                    + " needs --reqid, --spi, --proto, --mode, --tunnel-src or --tunnel-dst");
        }
        boolean tunnelAddress = element.stream().anyMatch(o -> o.name().startsWith("tunnel-"));
        Option mode = element.stream().filter(o -> o.name().equals("mode")).findFirst()
                .orElse(Option.of("mode", "transport"));
        boolean tunnel = mode.arg().equals("tunnel") != mode.negated();
        if (tunnelAddress && !tunnel) {
            throw new InvalidValueException("--tunnel-src and --tunnel-dst need --mode tunnel in the same element");
        }
    }
}
