package io.rampart.syntax;

import io.rampart.model.Family;
import io.rampart.model.Table;
import java.util.List;

/**
 * One recorded case of a {@code .cases} file: a rule line loaded alone into {@code table} of
 * {@code family} after declaring {@code chains}, and what the kernel made of it.
 *
 * @param file    the file's name, e.g. {@code tcp-udp.cases}
 * @param lineNo  the line of the file the case starts on
 * @param version the iptables that answered, e.g. {@code iptables v1.8.9 (nf_tables)}
 * @param answer  the kernel's answer; {@link KernelAnswer#UNRECORDED} until recorded
 */
public record KernelCase(String file, int lineNo, String version, Family family, Table table, List<String> chains,
                         String line, KernelAnswer answer) {

    public KernelCase {
        chains = List.copyOf(chains);
    }

    /** Where the case is written, e.g. {@code tcp-udp.cases:12}. */
    public String where() {
        return file + ":" + lineNo;
    }

    /** The chains' declaration lines for a restore file, e.g. {@code :FOO - [0:0]}. */
    public List<String> declarations() {
        return chains.stream().map(chain -> ":" + chain + " - [0:0]").toList();
    }

    /** The options every case of one restore run shares: it is loaded with them. */
    public record Setting(Family family, Table table, List<String> chains) {
    }

    public Setting setting() {
        return new Setting(family, table, chains);
    }
}
