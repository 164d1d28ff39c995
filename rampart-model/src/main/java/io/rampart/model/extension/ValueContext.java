package io.rampart.model.extension;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Table;
import java.util.Optional;

/**
 * What a value's meaning can depend on: the family, the table, the layer-4 protocol the rule
 * names with {@code -p} (service names are looked up per protocol, as iptables does), whether that
 * {@code -p} is negated, and the hook of the built-in chain the rule is in (some targets check it).
 * A value is read with the {@code -p} given before it, as iptables reads options left to right;
 * canonicalizers see the whole rule's. Names (services, users, hosts, ...) are looked up in
 * {@code names}, which the caller passes in.
 *
 * @param table           the table the rule is in
 * @param protocol        the canonical {@code -p} argument, or null when the rule names none
 * @param protocolNegated whether the rule says {@code ! -p PROTOCOL}
 * @param hook            the hook of the rule's built-in chain, or null in a user chain
 * @param names           the host's names that values may use
 */
public record ValueContext(Family family, Table table, String protocol, boolean protocolNegated, Hook hook,
                           HostNames names) {

    public ValueContext {
        java.util.Objects.requireNonNull(names, "names");
    }

    public static ValueContext of(Family family, HostNames names) {
        return new ValueContext(family, Table.FILTER, null, false, null, names);
    }

    /** The same rule as far as it was read before an option: with the protocol given by then. */
    public ValueContext withProtocol(String protocolSoFar, boolean negatedSoFar) {
        return new ValueContext(family, table, protocolSoFar, negatedSoFar, hook, names);
    }

    /** The protocol when the rule matches exactly it ({@code -p NAME} without {@code !}). */
    public Optional<String> exactProtocol() {
        return protocolNegated ? Optional.empty() : protocolIfAny();
    }

    /** The hook when the rule sits in a built-in chain; empty in a user chain. */
    public Optional<Hook> hookIfBuiltin() {
        return Optional.ofNullable(hook);
    }

    public Optional<String> protocolIfAny() {
        return Optional.ofNullable(protocol);
    }

    public boolean ipv6() {
        return family == Family.IPV6;
    }
}
