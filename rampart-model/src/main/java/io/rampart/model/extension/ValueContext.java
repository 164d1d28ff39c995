package io.rampart.model.extension;

import io.rampart.model.Family;
import java.util.Optional;

/**
 * What a value's meaning can depend on: the family, and the layer-4 protocol the rule names with
 * {@code -p} (service names are looked up per protocol, as iptables does).
 *
 * @param protocol the canonical {@code -p} argument, or null when the rule names none
 */
public record ValueContext(Family family, String protocol) {

    public static ValueContext of(Family family) {
        return new ValueContext(family, null);
    }

    public Optional<String> protocolIfAny() {
        return Optional.ofNullable(protocol);
    }

    public boolean ipv6() {
        return family == Family.IPV6;
    }
}
