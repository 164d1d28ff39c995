package io.rampart.system;

import io.rampart.model.Family;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The xtables matches and targets the running kernel offers, from {@code /proc/net/ip_tables_*}
 * (or {@code ip6_tables_*}), which lists every registered extension once per revision.
 */
public record KernelExtensions(SortedSet<String> matches, SortedSet<String> targets) {

    public static KernelExtensions read(Netns netns, Family family) {
        String prefix = family == Family.IPV4 ? "/proc/net/ip_tables_" : "/proc/net/ip6_tables_";
        return new KernelExtensions(names(netns, prefix + "matches"), names(netns, prefix + "targets"));
    }

    private static SortedSet<String> names(Netns netns, String file) {
        ProcessResult result = netns.run(List.of("cat", file), "");
        if (!result.ok()) {
            throw new SystemException("cannot read " + file + ": " + result.failure()
                    + " (is the x_tables module loaded?)");
        }
        return new TreeSet<>(result.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }
}
