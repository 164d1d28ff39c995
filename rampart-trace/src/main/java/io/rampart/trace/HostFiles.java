package io.rampart.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.model.Family;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@link Host} from a host description file, or from what {@code ip -j addr} and
 * {@code ip -j route} print on a live host.
 *
 * <p>A host file: {@code {"ip_forward": true, "addresses": [{"interface": "eth0", "address":
 * "192.0.2.1/24"}], "routes": [{"dst": "default", "dev": "eth0"}]}}.
 */
public final class HostFiles {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HostFiles() {
    }

    public static Host fromHostFile(String json, Family family) throws TraceInputException {
        JsonNode root = parse(json, "host file");
        List<Host.Address> addresses = new ArrayList<>();
        for (JsonNode a : root.path("addresses")) {
            Prefix prefix = prefix(a.path("address").asText(), family, "host file: address");
            if (prefix != null) {
                addresses.add(new Host.Address(a.path("interface").asText(), prefix));
            }
        }
        List<Host.Route> routes = new ArrayList<>();
        for (JsonNode r : root.path("routes")) {
            Prefix dst = prefix(r.path("dst").asText("default"), family, "host file: route");
            if (dst != null) {
                routes.add(new Host.Route(dst, r.path("dev").asText()));
            }
        }
        return Host.of(addresses, routes, root.path("ip_forward").asBoolean(true));
    }

    /** From {@code ip -j addr}, {@code ip -j route} (of the family) and the forwarding sysctl. */
    public static Host fromIp(String addrJson, String routeJson, boolean ipForward, Family family)
            throws TraceInputException {
        List<Host.Address> addresses = new ArrayList<>();
        for (JsonNode link : parse(addrJson, "ip -j addr")) {
            for (JsonNode info : link.path("addr_info")) {
                Prefix prefix = prefix(info.path("local").asText() + "/" + info.path("prefixlen").asInt(),
                        family, "ip -j addr");
                if (prefix != null) {
                    addresses.add(new Host.Address(link.path("ifname").asText(), prefix));
                }
            }
        }
        List<Host.Route> routes = new ArrayList<>();
        for (JsonNode r : parse(routeJson, "ip -j route")) {
            Prefix dst = prefix(r.path("dst").asText(), family, "ip -j route");
            if (dst != null && r.has("dev")) {
                routes.add(new Host.Route(dst, r.path("dev").asText()));
            }
        }
        return Host.of(addresses, routes, ipForward);
    }

    private static JsonNode parse(String json, String what) throws TraceInputException {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new TraceInputException(what + ": not JSON: " + e.getOriginalMessage());
        }
    }

    /** The prefix, or null when it belongs to the other family. */
    private static Prefix prefix(String text, Family family, String where) throws TraceInputException {
        if (!text.equals("default") && text.contains(":") != (family == Family.IPV6)) {
            return null;
        }
        try {
            return Prefix.parse(text, family);
        } catch (RuntimeException e) {
            throw new TraceInputException(where + ": bad address `" + text + "'");
        }
    }
}
