package io.rampart.model.extensions;

import static io.rampart.model.extensions.Checks.atLeastOne;
import static io.rampart.model.extensions.Checks.atMostOne;

import io.rampart.model.Option;
import io.rampart.model.extension.Canonicalizer;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.extensions.Marks.ValueMask;
import java.util.ArrayList;
import java.util.List;

/**
 * MARK and CONNMARK. The kernel keeps every mark operation as "clear the mask's bits, then xor
 * the value", so iptables-save prints each of them as {@code --set-xmark VALUE/MASK}.
 */
final class MarkTargets {

    private MarkTargets() {
    }

    private static final ValueType MARK_MASK = Marks.TARGET_VALUE_MASK;
    private static final ValueType MARK = Marks.VALUE;
    private static final String[] OPERATIONS = {"set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark"};
    private static final String[] CONNMARK_OPERATIONS = {"set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark",
        "save-mark", "restore-mark"};

    static List<ExtensionSpec> specs() {
        return List.of(mark(), connmark());
    }

    private static List<OptionSpec> operations(String what) {
        return List.of(
                OptionSpec.of("set-xmark", "clear the mask's bits of the " + what + ", then xor the value into it",
                        MARK_MASK),
                OptionSpec.of("set-mark", "set the mask's bits of the " + what + " to the value (no mask: all bits)",
                        MARK_MASK),
                OptionSpec.of("and-mark", "keep only the given bits of the " + what, MARK),
                OptionSpec.of("or-mark", "set the given bits of the " + what, MARK),
                OptionSpec.of("xor-mark", "flip the given bits of the " + what, MARK));
    }

    private static ExtensionSpec mark() {
        return ExtensionSpec.target("MARK", "change the packet's firewall mark",
                        operations("packet mark").toArray(OptionSpec[]::new))
                .does(options -> new TargetSemantics.SetMark(TargetSemantics.Mark.PACKET, change(options)))
                .canonicalizedBy((options, context) -> {
                    atMostOne(options, "MARK", OPERATIONS);
                    atLeastOne(options, "MARK", OPERATIONS);
                    return List.of(Option.of("set-xmark", operation(options.get(0)).format()));
                });
    }

    /** The value and mask an operation stands for, as the kernel stores it. */
    private static ValueMask operation(Option option) {
        return switch (option.name()) {
            case "set-xmark" -> ValueMask.parse(option.arg());
            case "set-mark" -> {
                ValueMask given = ValueMask.parse(option.arg());
                yield new ValueMask(given.value(), given.value() | given.mask());
            }
            case "and-mark" -> new ValueMask(0, ~ValueMask.parseHex(option.arg()) & Marks.ALL);
            case "or-mark" -> new ValueMask(ValueMask.parseHex(option.arg()), ValueMask.parseHex(option.arg()));
            case "xor-mark" -> new ValueMask(ValueMask.parseHex(option.arg()), 0);
            default -> throw new IllegalArgumentException(option.name());
        };
    }

    private static ExtensionSpec connmark() {
        List<OptionSpec> options = new ArrayList<>(operations("connection mark"));
        options.addAll(List.of(
                OptionSpec.flag("save-mark", "copy the packet mark into the connection mark"),
                OptionSpec.flag("restore-mark", "copy the connection mark into the packet mark"),
                OptionSpec.of("nfmask", "bits of the packet mark that save/restore use", MARK),
                OptionSpec.of("ctmask", "bits of the connection mark that save/restore (or set) change", MARK),
                OptionSpec.of("mask", "both --nfmask and --ctmask at once", MARK),
                OptionSpec.of("left-shift-mark", "shift the copied mark this many bits left",
                        Values.decimal(0, 32)),
                OptionSpec.of("right-shift-mark", "shift the copied mark this many bits right",
                        Values.decimal(0, 32))));
        return ExtensionSpec.target("CONNMARK", "change the connection's mark, or copy it to or from the packet",
                        options.toArray(OptionSpec[]::new))
                .does(MarkTargets::connmarkSemantics)
                .canonicalizedBy(Canonicalizer.inGivenOrder(MarkTargets::connmarkCanonical));
    }

    private static io.rampart.model.value.ValueMask change(List<Option> canonical) {
        return Checks.value(canonical, "set-xmark", io.rampart.model.value.ValueMask.class);
    }

    /** A canonical CONNMARK sets the connection mark, or copies one mark into the other. */
    private static TargetSemantics connmarkSemantics(List<Option> canonical) {
        if (Checks.has(canonical, "set-xmark")) {
            return new TargetSemantics.SetMark(TargetSemantics.Mark.CONNECTION, change(canonical));
        }
        int shift = (int) Checks.number(canonical, "left-shift-mark", 0)
                - (int) Checks.number(canonical, "right-shift-mark", 0);
        TargetSemantics.Mark to = Checks.has(canonical, "save-mark") ? TargetSemantics.Mark.CONNECTION
                : TargetSemantics.Mark.PACKET;
        return new TargetSemantics.CopyMark(to, Checks.number(canonical, "nfmask", Marks.ALL),
                Checks.number(canonical, "ctmask", Marks.ALL), shift);
    }

    /** Replays the options in the order given: a later mask overwrites what an operation set. */
    private static List<Option> connmarkCanonical(List<Option> options,
                                                  ValueContext context)
            throws InvalidValueException {
        atMostOne(options, "CONNMARK", CONNMARK_OPERATIONS);
        atLeastOne(options, "CONNMARK", CONNMARK_OPERATIONS);
        atMostOne(options, "CONNMARK", "mask", "nfmask");
        atMostOne(options, "CONNMARK", "mask", "ctmask");
        String mode = null;
        long ctmark = 0;
        long ctmask = Marks.ALL;
        long nfmask = Marks.ALL;
        String shift = "left-shift-mark";
        int shiftBits = 0;
        for (Option option : options) {
            switch (option.name()) {
                case "save-mark", "restore-mark" -> mode = option.name();
                case "nfmask" -> nfmask = ValueMask.parseHex(option.arg());
                case "ctmask" -> ctmask = ValueMask.parseHex(option.arg());
                case "mask" -> {
                    nfmask = ValueMask.parseHex(option.arg());
                    ctmask = nfmask;
                }
                case "left-shift-mark", "right-shift-mark" -> {
                    shift = option.name();
                    shiftBits = Integer.parseInt(option.arg());
                }
                default -> {
                    mode = "set-xmark";
                    ValueMask set = operation(option);
                    ctmark = set.value();
                    ctmask = set.mask();
                }
            }
        }
        if (shiftBits == 32) {
            throw new InvalidValueException("CONNMARK: the kernel shifts a mark by 31 bits at most, not 32");
        }
        List<Option> out = new ArrayList<>();
        if (mode.equals("set-xmark")) {
            out.add(Option.of("set-xmark", new ValueMask(ctmark, ctmask).format()));
        } else {
            out.add(Option.of(mode));
            out.add(Option.of("nfmask", Marks.hex(nfmask)));
            out.add(Option.of("ctmask", Marks.hex(ctmask)));
        }
        if (shiftBits != 0) {
            out.add(Option.of(shift, Integer.toString(shiftBits)));
        }
        return out;
    }
}
