package io.rampart.fleet;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a host reads for a revision: a header naming both, the host's values (its labels and its
 * variables under {@code hosts/<name>/vars/}) as definitions, then an include of the revision's main
 * file as fetched into {@code revisions/<id>/}. The agent enforces it; the rollout's expectations
 * are proved on it.
 */
final class HostExpansion {

    private static final String HEADER = "# rampart fleet: host %s, revision %s\n";

    private HostExpansion() {
    }

    /** The header alone: what the agent was told when the revision cannot be read. */
    static String header(String host, String revision) {
        return String.format(HEADER, host, revision);
    }

    /** The host's values as the language's definitions, labels first. */
    static String definitions(EtcdStore store, String host, Map<String, String> labels) {
        Map<String, String> vars = new LinkedHashMap<>();
        String prefix = store.layout().vars(host);
        store.list(prefix).forEach((key, value) -> vars.put(key.substring(prefix.length()), value));
        return HostValues.definitions(labels, vars);
    }

    /** The text of {@code host}'s expansion of {@code revision}, whose main file is {@code main}. */
    static String text(String host, Revision revision, String definitions) {
        return header(host, revision.id()) + definitions + "include \"revisions/" + revision.id() + "/"
                + revision.bundle().main() + "\"\n";
    }
}
