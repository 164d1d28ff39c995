package io.rampart.trace;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Option;
import io.rampart.model.Target;
import io.rampart.model.extension.Addresses;

/**
 * The NAT targets: the first address and port of their range replace the packet's, and the
 * connection remembers that it was translated.
 */
final class Nat {

    private Nat() {
    }

    static Action.Effect effect(Target target, Family family) {
        return switch (target.name()) {
            case "DNAT" -> {
                Endpoint to = Endpoint.parse(option(target, "to-destination"), family);
                yield f -> {
                    f.packet = f.packet.withDestination(to.address(f.packet.dstBytes()), to.port(f.packet.dport()));
                    f.dnat = true;
                };
            }
            case "SNAT" -> {
                Endpoint to = Endpoint.parse(option(target, "to-source"), family);
                yield f -> {
                    f.packet = f.packet.withSource(to.address(f.packet.srcBytes()), to.port(f.packet.sport()));
                    f.snat = true;
                };
            }
            case "MASQUERADE" -> {
                int port = firstPort(target);
                yield f -> {
                    byte[] address = f.host.addressOf(f.packet.out(), family).orElse(f.packet.srcBytes());
                    f.packet = f.packet.withSource(address, port < 0 ? f.packet.sport() : port);
                    f.snat = true;
                };
            }
            case "REDIRECT" -> {
                int port = firstPort(target);
                byte[] loopback = Addresses.parseLiteral(family == Family.IPV4 ? "127.0.0.1" : "::1", family);
                yield f -> {
                    byte[] address = f.hook == Hook.OUTPUT ? loopback
                            : f.host.addressOf(f.packet.in(), family).orElse(f.packet.dstBytes());
                    f.packet = f.packet.withDestination(address, port < 0 ? f.packet.dport() : port);
                    f.dnat = true;
                };
            }
            default -> netmap(option(target, "to"), family);
        };
    }

    private static Action.Effect netmap(String to, Family family) {
        Network net = Network.parse(to, family);
        return f -> {
            boolean destination = f.hook == Hook.PREROUTING || f.hook == Hook.OUTPUT;
            byte[] old = destination ? f.packet.dstBytes() : f.packet.srcBytes();
            byte[] mapped = new byte[old.length];
            for (int i = 0; i < old.length; i++) {
                mapped[i] = (byte) ((net.address()[i] & net.mask()[i]) | (old[i] & ~net.mask()[i]));
            }
            if (destination) {
                f.packet = f.packet.withDestination(mapped, f.packet.dport());
                f.dnat = true;
            } else {
                f.packet = f.packet.withSource(mapped, f.packet.sport());
                f.snat = true;
            }
        };
    }

    private static String option(Target target, String name) {
        return target.option(name).map(Option::arg).orElseThrow(() -> new IllegalArgumentException(
                "-j " + target.name() + " without --" + name));
    }

    private static int firstPort(Target target) {
        return target.option("to-ports").map(o -> Integer.parseInt(o.arg().split("-")[0])).orElse(-1);
    }

    /** {@code ADDR[-ADDR][:PORT[-PORT]]}, IPv6 addresses in brackets when a port follows. */
    private record Endpoint(byte[] first, int firstPort) {

        static Endpoint parse(String text, Family family) {
            String addresses = text;
            String ports = null;
            if (family == Family.IPV6 && text.startsWith("[")) {
                int close = text.indexOf(']');
                addresses = text.substring(1, close);
                ports = close + 1 < text.length() ? text.substring(close + 2) : null;
            } else if (family == Family.IPV4 && text.contains(":")) {
                addresses = text.substring(0, text.indexOf(':'));
                ports = text.substring(text.indexOf(':') + 1);
            }
            String first = addresses.isEmpty() ? null : addresses.split("-")[0];
            byte[] address = first == null ? null : Addresses.parseLiteral(first, family);
            int port = ports == null ? -1 : Integer.parseInt(ports.split("[-:]")[0]);
            return new Endpoint(address, port);
        }

        byte[] address(byte[] unchanged) {
            return first == null ? unchanged : first;
        }

        int port(int unchanged) {
            return firstPort < 0 ? unchanged : firstPort;
        }
    }
}
