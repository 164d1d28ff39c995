package io.rampart.cli;

import io.rampart.model.Family;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import picocli.CommandLine.Option;

/** The options every kernel-touching command takes: --netns, -4/-6, --json, --debug. */
final class KernelOptions {

    static final String NETNS = "--netns";
    static final String IPV4 = "-4";
    static final String IPV6 = "-6";
    static final String JSON = "--json";
    static final String DEBUG = "--debug";

    @Option(names = NETNS, paramLabel = "NAME", description = "Work inside this network namespace.")
    String netns;

    @Option(names = IPV4, description = "IPv4 (iptables), the default.")
    boolean ipv4;

    @Option(names = IPV6, description = "IPv6 (ip6tables).")
    boolean ipv6;

    @Option(names = JSON, description = "Machine-readable output on stdout.")
    boolean json;

    @Option(names = DEBUG, description = "Show stack traces of internal errors.")
    boolean debug;

    Family family() {
        if (ipv4 && ipv6) {
            throw new InputException("-4 and -6 exclude each other");
        }
        return ipv6 ? Family.IPV6 : Family.IPV4;
    }

    /** Whether -4 or -6 was given, rather than -4 taken by default. */
    boolean familyGiven() {
        return ipv4 || ipv6;
    }

    Netns namespace() {
        return namespace(ProcessRunner.system());
    }

    Netns namespace(ProcessRunner runner) {
        return netns == null ? Netns.host(runner) : Netns.existing(netns, runner);
    }
}
