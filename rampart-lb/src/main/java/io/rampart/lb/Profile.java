package io.rampart.lb;

import io.rampart.model.Family;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One load-balanced service: traffic to {@code source} with {@code protocol} is split among the
 * destinations by their weights.
 *
 * @param logLevel   the syslog level (0-7) of the LOG rule when {@code logEnabled}
 * @param masquerade for a proxy, rewrite the source of forwarded traffic so replies come back through it
 */
public record Profile(String name, Endpoint source, List<Destination> destinations, Protocol protocol, Mode mode,
                      boolean logEnabled, int logLevel, boolean masquerade) {

    /** Profile names: they are YAML keys and part of chain names, so plain words only. */
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";
    public static final int MAX_DESTINATIONS = 128;
    private static final List<String> LEVEL_NAMES =
            List.of("emerg", "alert", "crit", "error", "warning", "notice", "info", "debug");

    public Profile {
        destinations = List.copyOf(destinations);
    }

    /** Checks everything that makes a profile usable and returns it. */
    public static Profile of(String name, Endpoint source, List<Destination> destinations, Protocol protocol,
                             Mode mode, boolean logEnabled, int logLevel, boolean masquerade) throws LbException {
        checkName(name);
        if (destinations.isEmpty()) {
            throw new LbException("-dest-addr: profile `" + name + "' needs at least one destination");
        }
        if (destinations.size() > MAX_DESTINATIONS) {
            throw new LbException("-dest-addr: " + destinations.size() + " destinations; at most " + MAX_DESTINATIONS);
        }
        Set<Endpoint> seen = new HashSet<>();
        for (Destination destination : destinations) {
            Endpoint endpoint = destination.endpoint();
            if (endpoint.family() != source.family()) {
                throw new LbException("-dest-addr: " + endpoint + " is " + familyName(endpoint.family())
                        + " but the source " + source + " is " + familyName(source.family()));
            }
            if (!seen.add(endpoint)) {
                throw new LbException("-dest-addr: " + endpoint + " is listed twice; give it a weight instead ("
                        + endpoint + "*2)");
            }
        }
        return new Profile(name, source, destinations, protocol, mode, logEnabled, logLevel, masquerade);
    }

    public static void checkName(String name) throws LbException {
        if (!name.matches(NAME)) {
            throw new LbException("-profile: bad profile name `" + name + "': use 1-64 letters, digits, `_', `.'"
                    + " or `-', starting with a letter or digit");
        }
    }

    /** A syslog level as a number 0-7 or its name (emerg ... debug), as LOG --log-level takes it. */
    public static int parseLogLevel(String text) throws LbException {
        if (text.matches("[0-7]")) {
            return Integer.parseInt(text);
        }
        int named = LEVEL_NAMES.indexOf(text);
        if (named < 0) {
            throw new LbException("-log-level: bad level `" + text + "': use 0-7 or one of "
                    + String.join(", ", LEVEL_NAMES));
        }
        return named;
    }

    public Family family() {
        return source.family();
    }

    /** The chain holding this profile's split. */
    public String chain() {
        return ChainNames.of(name);
    }

    /** Profiles that capture the same traffic could never both work: the first jump would win. */
    public boolean capturesSameAs(Profile other) {
        return source.equals(other.source) && protocol == other.protocol;
    }

    private static String familyName(Family family) {
        return family == Family.IPV4 ? "IPv4" : "IPv6";
    }
}
