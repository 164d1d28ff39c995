package io.rampart.system;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Random rules, each in two independent spellings iptables accepts: option aliases and
 * abbreviations, address and port notations, protocol names and numbers, option order.
 */
final class RuleSpellings {

    /** Two spellings of one rule, built from the same choices. */
    record Pair(String first, String second) {
    }

    private RuleSpellings() {
    }

    /** A rule drawn from {@code seed}, spelt two ways. */
    static Pair sameRule(long seed) {
        Random choices = new Random(seed);
        List<Part> parts = parts(choices);
        return new Pair(spell(parts, new Random(seed * 31 + 1)), spell(parts, new Random(seed * 31 + 2)));
    }

    /** The parts of a rule: each knows several spellings of itself. */
    private record Part(List<String> spellings, boolean movable) {
    }

    private static List<Part> parts(Random r) {
        List<Part> parts = new ArrayList<>();
        String negation = r.nextInt(4) == 0 ? "! " : "";
        if (r.nextBoolean()) {
            int a = r.nextInt(256);
            int prefix = 8 + r.nextInt(25);
            String address = "10." + a + "." + r.nextInt(256) + "." + r.nextInt(256);
            parts.add(new Part(List.of(negation + "-s " + address + "/" + prefix,
                    negation + "--source " + address + "/" + dotted(prefix),
                    negation + "--src " + address + "/" + prefix), true));
        }
        if (r.nextBoolean()) {
            String address = "192.0.2." + r.nextInt(256);
            parts.add(new Part(List.of("-d " + address, "--destination " + address + "/32", "--dst " + address
                    + "/255.255.255.255"), true));
        }
        if (r.nextBoolean()) {
            String name = List.of("eth0", "eth+", "lo", "wg0").get(r.nextInt(4));
            parts.add(new Part(List.of("-i " + name, "--in-interface " + name), true));
        }
        String protocol = List.of("tcp", "udp", "none").get(r.nextInt(3));
        List<String> tail = new ArrayList<>();
        if (!protocol.equals("none")) {
            List<String> names = protocol.equals("tcp") ? List.of("-p tcp", "--protocol TCP", "-p 6")
                    : List.of("-p udp", "--protocol UDP", "-p 17");
            tail.add(String.join("|", names));
            int port = List.of(22, 53, 80, 443, 8080, 1024).get(r.nextInt(6));
            String service = switch (port) {
                case 22 -> "ssh";
                case 53 -> "domain";
                case 80 -> "http";
                case 443 -> "https";
                default -> Integer.toString(port);
            };
            String portNegation = r.nextInt(4) == 0 ? "! " : "";
            tail.add(String.join("|", portNegation + "--dport " + port, portNegation + "--destination-port "
                    + service, portNegation + "--dpor " + port));
            if (protocol.equals("tcp") && r.nextBoolean()) {
                tail.add(String.join("|", "--syn", "--tcp-flags FIN,SYN,RST,ACK SYN", "--tcp-flags ack,fin,rst,syn syn"));
            }
        }
        String target = List.of("ACCEPT", "DROP", "RETURN").get(r.nextInt(3));
        parts.add(new Part(tail.isEmpty() ? List.of("") : List.of(String.join(" ; ", tail)), false));
        parts.add(new Part(List.of("-j " + target, "--jump " + target), false));
        return parts;
    }

    private static String spell(List<Part> parts, Random r) {
        List<Part> movable = new ArrayList<>(parts.stream().filter(Part::movable).toList());
        Collections.shuffle(movable, r);
        StringBuilder line = new StringBuilder("-A INPUT");
        for (Part part : movable) {
            line.append(' ').append(pick(part.spellings(), r));
        }
        for (Part part : parts.stream().filter(p -> !p.movable()).toList()) {
            String chosen = pick(part.spellings(), r);
            for (String piece : chosen.split(" ; ")) {
                String[] alternatives = piece.split("\\|");
                String word = alternatives[r.nextInt(alternatives.length)];
                if (!word.isEmpty()) {
                    line.append(' ').append(word);
                }
            }
        }
        return line.toString();
    }

    private static String pick(List<String> spellings, Random r) {
        return spellings.get(r.nextInt(spellings.size()));
    }

    private static String dotted(int prefix) {
        long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
        return ((mask >> 24) & 255) + "." + ((mask >> 16) & 255) + "." + ((mask >> 8) & 255) + "." + (mask & 255);
    }
}
