package io.rampart.config;

import io.rampart.model.Family;
import java.util.List;

/**
 * Looks up the values a ruleset leaves to apply time: an interface's current addresses and a host
 * name's addresses. The command line supplies one that asks inside the target network namespace.
 */
public interface ValueResolver {

    /** The addresses of {@code iface} in {@code family}, the primary one first; empty when it has none. */
    List<String> interfaceAddresses(String iface, Family family) throws ResolveException;

    /** The addresses {@code host} resolves to in {@code family}; empty when it has none. */
    List<String> hostAddresses(String host, Family family) throws ResolveException;

    /** A value could not be looked up at all (no such interface, the lookup tool failed). */
    final class ResolveException extends Exception {
        private static final long serialVersionUID = 1L;

        public ResolveException(String message) {
            super(message, null, false, false);
        }
    }
}
