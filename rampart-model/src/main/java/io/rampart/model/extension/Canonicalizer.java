package io.rampart.model.extension;

import io.rampart.model.Option;
import java.util.List;

/**
 * The extension-specific step from the options a user gave (each value already canonical, in the
 * extension's save order) to the options the kernel keeps: defaults the kernel fills in, options
 * that are stored as another ({@code --syn}, {@code --set-mark}), and combinations iptables refuses.
 */
@FunctionalInterface
public interface Canonicalizer {

    List<Option> apply(List<Option> options, ValueContext context) throws InvalidValueException;

    Canonicalizer NONE = (options, context) -> options;

    /**
     * A canonicalizer that receives the options in the order they were given rather than in save
     * order, for extensions where that order means something (policy elements separated by
     * {@code --next}, an option valid only after another); it returns them in save order itself.
     */
    interface GivenOrder extends Canonicalizer {
    }

    static Canonicalizer inGivenOrder(GivenOrder canonicalizer) {
        return canonicalizer;
    }
}
