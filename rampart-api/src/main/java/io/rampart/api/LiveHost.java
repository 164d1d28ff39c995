package io.rampart.api;

import io.rampart.model.Family;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.SystemException;
import io.rampart.trace.Host;
import io.rampart.trace.HostFiles;
import io.rampart.trace.TraceInputException;
import java.util.List;

/** The addresses, routes and forwarding switch of a live host or namespace, from {@code ip -j}. */
public final class LiveHost {

    private LiveHost() {
    }

    public static Host read(Netns netns, Family family) throws TraceInputException {
        String flag = family == Family.IPV4 ? "-4" : "-6";
        String addr = run(netns, List.of("ip", flag, "-j", "addr"));
        String route = run(netns, List.of("ip", flag, "-j", "route"));
        String sysctl = family == Family.IPV4 ? "net.ipv4.ip_forward" : "net.ipv6.conf.all.forwarding";
        boolean forward = run(netns, List.of("sysctl", "-n", sysctl)).strip().equals("1");
        return HostFiles.fromIp(addr, route, forward, family);
    }

    private static String run(Netns netns, List<String> command) {
        ProcessResult result = netns.run(command, "");
        if (!result.ok()) {
            throw new SystemException(String.join(" ", command) + " failed: " + result.failure());
        }
        return result.stdout();
    }
}
