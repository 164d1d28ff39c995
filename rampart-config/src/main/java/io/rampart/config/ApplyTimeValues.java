package io.rampart.config;

import io.rampart.model.Family;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The values of {@code @addr(IF)}, {@code @addr6(IF)}, {@code @host(NAME)}, {@code @host4(NAME)} and
 * {@code @host6(NAME)}. With a resolver they are looked up; without one (a check, which needs no
 * kernel) only their form is checked and each distinct call stands for its own documentation
 * address (192.0.2.0/24, 2001:db8::/32), so the rules around it can be checked all the same.
 */
final class ApplyTimeValues {

    static final List<String> FUNCTIONS = List.of("addr", "addr6", "host", "host4", "host6");

    private static final Pattern INTERFACE = Pattern.compile("[^\\s/:,()\"]{1,15}");
    private static final Pattern HOST = Pattern.compile("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})"
            + "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\\.?");

    private final Optional<ValueResolver> resolver;
    private final Map<String, Integer> placeholders = new HashMap<>();

    ApplyTimeValues(Optional<ValueResolver> resolver) {
        this.resolver = resolver;
    }

    /**
     * The addresses {@code @function(argument)} stands for in a rule of a table of {@code families},
     * each a rule of its own.
     *
     * @param column where the call starts, for errors
     */
    List<String> values(String function, String argument, Set<Family> families, int column)
            throws LanguageException {
        boolean interfaceCall = function.startsWith("addr");
        if (interfaceCall && (!INTERFACE.matcher(argument).matches() || argument.equals(".")
                || argument.equals(".."))) {
            throw new LanguageException("`" + argument + "' is not an interface name (at most 15 characters,"
                    + " no blanks, `/' or `:')", column);
        }
        if (!interfaceCall && !HOST.matcher(argument).matches()) {
            throw new LanguageException("`" + argument + "' is not a host name", column);
        }
        Set<Family> wanted = familiesOf(function, families);
        if (wanted.isEmpty()) {
            throw new LanguageException("@" + function + "(" + argument + ") gives "
                    + (function.endsWith("6") ? "IPv6" : "IPv4") + " addresses, but this table is only for "
                    + (families.contains(Family.IPV4) ? "IPv4" : "IPv6"), column);
        }
        if (resolver.isEmpty()) {
            return placeholders(function + "(" + argument + ")", wanted);
        }
        Set<String> found = new LinkedHashSet<>();
        try {
            for (Family family : wanted) {
                List<String> addresses = interfaceCall
                        ? resolver.get().interfaceAddresses(argument, family)
                        : resolver.get().hostAddresses(argument, family);
                // The primary address of an interface, every address of a host.
                found.addAll(interfaceCall && !addresses.isEmpty() ? addresses.subList(0, 1) : addresses);
            }
        } catch (ValueResolver.ResolveException e) {
            throw new LanguageException("@" + function + "(" + argument + "): " + e.getMessage(), column);
        }
        if (found.isEmpty()) {
            throw new LanguageException((interfaceCall ? "interface " : "host ") + argument + " has no "
                    + familyWords(wanted) + " address" + (interfaceCall ? " now" : ""), column);
        }
        return new ArrayList<>(found);
    }

    private static Set<Family> familiesOf(String function, Set<Family> families) {
        Set<Family> wanted = EnumSet.noneOf(Family.class);
        for (Family family : families) {
            boolean v6 = family == Family.IPV6;
            boolean takes = switch (function) {
                case "addr", "host4" -> !v6;
                case "addr6", "host6" -> v6;
                default -> true;
            };
            if (takes) {
                wanted.add(family);
            }
        }
        return wanted;
    }

    private static String familyWords(Set<Family> families) {
        return families.size() == 2 ? "IPv4 or IPv6" : families.contains(Family.IPV6) ? "IPv6" : "IPv4";
    }

    private List<String> placeholders(String call, Set<Family> families) {
        int n = placeholders.computeIfAbsent(call, c -> placeholders.size() + 1);
        List<String> out = new ArrayList<>();
        if (families.contains(Family.IPV4)) {
            out.add("192.0.2." + ((n - 1) % 254 + 1));
        }
        if (families.contains(Family.IPV6)) {
            out.add("2001:db8::" + Integer.toHexString((n - 1) % 0xfffe + 1));
        }
        return out;
    }
}
