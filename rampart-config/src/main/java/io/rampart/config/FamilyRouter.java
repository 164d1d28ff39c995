package io.rampart.config;

import io.rampart.model.Family;
import io.rampart.syntax.RuleSyntaxException;
import io.rampart.syntax.Token;
import io.rampart.syntax.Tokenizer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Sends a rule of a table declared for both families to the family its addresses belong to: IPv4
 * or IPv6 addresses in an address option, an ICMP protocol or type, or a {@code -4}/{@code -6}
 * marker. A rule that names none goes to both; one that names both families is an error.
 */
final class FamilyRouter {

    /** Options whose value is one or more addresses, ranges or address:port pairs. */
    private static final Set<String> ADDRESS_OPTIONS = Set.of("-s", "--source", "--src", "-d", "--destination",
            "--dst", "--to-source", "--to-destination", "--to", "--src-range", "--dst-range", "--on-ip",
            "--gateway", "--src-pfx", "--dst-pfx");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private FamilyRouter() {
    }

    /** Evidence for one family: the word that shows it and where. */
    private record Evidence(Family family, String word, int column) {
    }

    /** The families {@code line} (an expanded rule) goes to; columns in errors are of {@code line}. */
    static Set<Family> route(String line) throws LanguageException {
        List<Token> tokens;
        try {
            tokens = Tokenizer.split(line);
        } catch (RuleSyntaxException e) {
            throw new LanguageException(e.problem(), e.column(), e.hint());
        }
        Evidence first = null;
        for (int i = 0; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            for (Evidence evidence : evidence(token, i + 1 < tokens.size() ? tokens.get(i + 1) : null)) {
                if (first == null) {
                    first = evidence;
                } else if (first.family() != evidence.family()) {
                    throw new LanguageException("rule mixes " + name(first.family()) + " (`" + first.word()
                            + "') and " + name(evidence.family()) + " (`" + evidence.word() + "')",
                            evidence.column(),
                            "split it into an IPv4 and an IPv6 rule, or use a list: one rule is made per element");
                }
            }
        }
        return first == null ? EnumSet.allOf(Family.class) : EnumSet.of(first.family());
    }

    /** What {@code token} (with the word after it, {@code value}) says about the rule's family. */
    private static List<Evidence> evidence(Token token, Token value) {
        String word = token.text();
        if (token.quoted()) {
            return List.of();
        }
        if (word.equals("-4") || word.equals("-6")) {
            return List.of(new Evidence(word.equals("-4") ? Family.IPV4 : Family.IPV6, word, token.column()));
        }
        if (value == null || value.quoted()) {
            return List.of();
        }
        String given = value.text();
        if (ADDRESS_OPTIONS.contains(word)) {
            List<Evidence> found = new ArrayList<>();
            int offset = 0;
            for (String part : given.split(",", -1)) {
                Family family = addressFamily(part);
                if (family != null) {
                    found.add(new Evidence(family, part, value.column() + offset));
                }
                offset += part.length() + 1;
            }
            return found;
        }
        Family family = switch (word) {
            case "-p", "--protocol" -> switch (given) {
                case "icmp" -> Family.IPV4;
                case "icmpv6", "ipv6-icmp", "icmp6" -> Family.IPV6;
                default -> null;
            };
            case "--icmp-type" -> Family.IPV4;
            case "--icmpv6-type" -> Family.IPV6;
            case "--reject-with" -> given.startsWith("icmp6-") ? Family.IPV6
                    : given.startsWith("icmp-") ? Family.IPV4 : null;
            default -> null;
        };
        return family == null ? List.of() : List.of(new Evidence(family, word + " " + given, token.column()));
    }

    /** The family of an address, network, range or address:port, or null for a name or a port. */
    static Family addressFamily(String text) {
        String address = text;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            address = close > 0 ? address.substring(1, close) : address.substring(1);
        }
        int slash = address.indexOf('/');
        if (slash >= 0) {
            address = address.substring(0, slash);
        }
        int dash = address.indexOf('-');
        if (dash >= 0) {
            address = address.substring(0, dash);
        }
        if (IPV4.matcher(address.contains(":") && address.indexOf(':') == address.lastIndexOf(':')
                ? address.substring(0, address.indexOf(':')) : address).matches()) {
            return Family.IPV4;
        }
        // Two colons at least: a port range (1:2), a time (10:00) or a MAC address is not one.
        if (IPV6.matcher(address).matches() && (address.contains("::") || colons(address) == 7
                || (colons(address) == 6 && address.contains(".")))) {
            return Family.IPV6;
        }
        return null;
    }

    private static long colons(String text) {
        return text.chars().filter(c -> c == ':').count();
    }

    static String name(Family family) {
        return family == Family.IPV4 ? "IPv4" : "IPv6";
    }
}
