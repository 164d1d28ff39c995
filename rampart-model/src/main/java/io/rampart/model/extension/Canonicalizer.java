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
     * A canonicalizer for an extension whose options act in the order they are given (a later one
     * overwrites what an earlier one set, as CONNMARK's {@code --mask} and {@code --set-mark} do;
     * policy elements separated by {@code --next}): it receives the options in that order instead
     * of save order, and returns them in save order itself.
     */
    interface InGivenOrder extends Canonicalizer {
    }

    static Canonicalizer inGivenOrder(Canonicalizer canonicalizer) {
        return (InGivenOrder) canonicalizer::apply;
    }

    /**
     * A canonicalizer for a match the nf_tables backend turns into its own expressions (tcp, udp:
     * iptables' {@code add_nft_tcpudp}), which leave out a full port range. When that leaves no
     * option and one was negated, no expression is left and the match is gone from the rule; with
     * none negated iptables keeps the match, empty, as the legacy backend would (see
     * {@link ExtensionSpec#keptInRule}).
     */
    interface NativeInNfTables extends Canonicalizer {
    }

    static Canonicalizer nativeInNfTables(Canonicalizer canonicalizer) {
        return (NativeInNfTables) canonicalizer::apply;
    }
}
