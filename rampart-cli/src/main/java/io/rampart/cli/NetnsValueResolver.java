package io.rampart.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.config.ValueResolver;
import io.rampart.model.Family;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Looks up apply-time values inside the namespace the command works in: interface addresses with
 * {@code ip -j addr show dev IF}, host names with {@code getent ahostsv4/ahostsv6}.
 */
final class NetnsValueResolver implements ValueResolver {

    private final Netns netns;

    NetnsValueResolver(Netns netns) {
        this.netns = netns;
    }

    @Override
    public List<String> interfaceAddresses(String iface, Family family) throws ResolveException {
        ProcessResult shown = netns.run(List.of("ip", "-j", family == Family.IPV4 ? "-4" : "-6", "addr", "show",
                "dev", iface), "");
        if (!shown.ok()) {
            throw new ResolveException("no interface " + iface + (netns.name().map(n -> " in netns " + n)
                    .orElse("")) + " (" + shown.failure() + ")");
        }
        List<String> addresses = new ArrayList<>();
        try {
            for (JsonNode link : new ObjectMapper().readTree(shown.stdout().isBlank() ? "[]" : shown.stdout())) {
                for (JsonNode info : link.path("addr_info")) {
                    // A link-local IPv6 address is no use as a rule's address: it needs its interface.
                    if (family == Family.IPV6 && "link".equals(info.path("scope").asText())) {
                        continue;
                    }
                    if (info.hasNonNull("local")) {
                        addresses.add(info.get("local").asText());
                    }
                }
            }
        } catch (JsonProcessingException e) {
            throw new ResolveException("cannot read the output of ip -j addr: " + e.getOriginalMessage());
        }
        return addresses;
    }

    @Override
    public List<String> hostAddresses(String host, Family family) throws ResolveException {
        ProcessResult found = netns.run(List.of("getent", family == Family.IPV4 ? "ahostsv4" : "ahostsv6", host), "");
        if (found.exitCode() == 2) {
            return List.of(); // getent: the name is not known
        }
        if (!found.ok()) {
            throw new ResolveException("getent could not look up " + host + ": " + found.failure());
        }
        Set<String> addresses = new LinkedHashSet<>();
        for (String line : found.stdout().split("\n")) {
            String address = line.strip().split("\\s+")[0];
            // ahostsv6 maps IPv4-only names to ::ffff:a.b.c.d, which no IPv6 rule should name.
            if (!address.isEmpty() && !address.startsWith("::ffff:")) {
                addresses.add(address);
            }
        }
        return new ArrayList<>(addresses);
    }
}
