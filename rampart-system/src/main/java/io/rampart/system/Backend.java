package io.rampart.system;

import io.rampart.model.Family;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which kernel interface the system's iptables uses. Debian points {@code iptables} at one of two
 * multi-call binaries through its alternatives links; following them costs no process.
 */
public enum Backend {
    NF_TABLES("nf_tables"), LEGACY("legacy");

    private final String label;

    Backend(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /**
     * Whether the other backend holds tables too (rules Rampart neither sees nor manages), as a
     * warning to show, or null. Legacy tables are listed in {@code /proc/net/ip_tables_names};
     * nf_tables ones by {@code nft list tables}.
     */
    public String otherBackendWarning(Netns netns, Family family) {
        if (this == NF_TABLES) {
            String file = family == Family.IPV4 ? "/proc/net/ip_tables_names" : "/proc/net/ip6_tables_names";
            ProcessResult names = netns.run(java.util.List.of("cat", file), "");
            return names.ok() && !names.stdout().isBlank()
                    ? "iptables-legacy tables are present too (" + names.stdout().strip().replace('\n', ' ')
                      + "): their rules also filter packets and are not managed here"
                    : null;
        }
        ProcessResult tables = netns.run(java.util.List.of("nft", "list", "tables",
                family == Family.IPV4 ? "ip" : "ip6"), "");
        return tables.ok() && !tables.stdout().isBlank()
                ? "nf_tables tables are present too: their rules also filter packets and are not managed here"
                : null;
    }

    /** The backend of {@code iptables} (or {@code ip6tables}) as found on the PATH. */
    public static Backend detect(Family family) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, family.command());
            if (Files.isExecutable(candidate)) {
                try {
                    return candidate.toRealPath().getFileName().toString().contains("legacy") ? LEGACY : NF_TABLES;
                } catch (IOException e) {
                    throw new SystemException("cannot resolve " + candidate + ": " + e.getMessage(), e);
                }
            }
        }
        throw new SystemException(family.command() + " is not installed (run ./scripts/install-deps)");
    }
}
