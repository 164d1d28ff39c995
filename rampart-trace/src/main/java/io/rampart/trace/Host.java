package io.rampart.trace;

import io.rampart.model.Family;
import java.util.List;
import java.util.Optional;

/**
 * What the tracer knows of the host: its addresses (for routing and addrtype), its routes and
 * whether it forwards. {@link #unknown()} is a host nothing is known of: a packet is delivered
 * locally unless it names an output interface.
 */
public record Host(boolean known, List<Address> addresses, List<Route> routes, boolean ipForward) {

    /** An address of an interface. */
    public record Address(String iface, Prefix prefix) {
    }

    /** A route of the main table: packets to {@code dst} leave on {@code dev}. */
    public record Route(Prefix dst, String dev) {
    }

    public Host {
        addresses = List.copyOf(addresses);
        routes = List.copyOf(routes);
    }

    public static Host unknown() {
        return new Host(false, List.of(), List.of(), true);
    }

    public static Host of(List<Address> addresses, List<Route> routes, boolean ipForward) {
        return new Host(true, addresses, routes, ipForward);
    }

    /** Whether {@code address} is one of the host's own (loopback included). */
    public boolean isLocal(byte[] address, Family family) {
        if (isLoopback(address, family)) {
            return true;
        }
        for (Address a : addresses) {
            if (java.util.Arrays.equals(a.prefix().address(), address)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code address} is the broadcast address of one of the host's networks. */
    public boolean isBroadcast(byte[] address, Family family) {
        if (family != Family.IPV4) {
            return false;
        }
        if (address[0] == (byte) 255 && address[1] == (byte) 255 && address[2] == (byte) 255
                && address[3] == (byte) 255) {
            return true;
        }
        for (Address a : addresses) {
            Prefix p = a.prefix();
            if (p.length() < 31 && p.contains(address) && hostBitsAllOnes(address, p.length())) {
                return true;
            }
        }
        return false;
    }

    /** The interface a packet to {@code dst} leaves on: the longest matching route. */
    public Optional<String> routeTo(byte[] dst, Family family) {
        if (isLocal(dst, family)) {
            return Optional.of("lo");
        }
        Route best = null;
        for (Route route : routes) {
            if (route.dst().contains(dst) && (best == null || route.dst().length() > best.dst().length())) {
                best = route;
            }
        }
        return Optional.ofNullable(best).map(Route::dev);
    }

    /** The first address of an interface, the one MASQUERADE uses. */
    public Optional<byte[]> addressOf(String iface, Family family) {
        int bytes = family.addressBits() / 8;
        return addresses.stream().filter(a -> a.iface().equals(iface))
                .map(a -> a.prefix().address()).filter(b -> b.length == bytes).findFirst();
    }

    private static boolean isLoopback(byte[] address, Family family) {
        if (family == Family.IPV4) {
            return address[0] == 127;
        }
        for (int i = 0; i < 15; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[15] == 1;
    }

    private static boolean hostBitsAllOnes(byte[] address, int prefix) {
        for (int bit = prefix; bit < address.length * 8; bit++) {
            if ((address[bit / 8] & (0x80 >> (bit % 8))) == 0) {
                return false;
            }
        }
        return true;
    }
}
