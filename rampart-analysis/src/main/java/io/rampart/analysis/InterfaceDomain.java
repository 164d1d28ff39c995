package io.rampart.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Interface names as a finite list that stands for all names: every name the rules spell, one
 * name for each {@code +} pattern that no longer pattern or exact name covers, one name no rule
 * matches, and "no interface" (index 0: the input side of OUTPUT, the output side of INPUT).
 * Any real name matches exactly the patterns one of these matches, so deciding the list decides all.
 */
final class InterfaceDomain {

    static final int NONE = 0;

    private final List<String> names = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private final java.util.Map<String, Integer> standIns = new java.util.HashMap<>();

    InterfaceDomain(Set<String> patterns) {
        names.add("");
        labels.add("no interface");
        Set<String> exact = new TreeSet<>();
        Set<String> prefixes = new TreeSet<>();
        for (String pattern : patterns) {
            if (pattern.endsWith("+")) {
                prefixes.add(pattern.substring(0, pattern.length() - 1));
            } else {
                exact.add(pattern);
            }
        }
        names.addAll(exact);
        labels.addAll(exact);
        for (String prefix : prefixes) {
            standIns.put(prefix, names.size());
            names.add(fresh(prefix, exact, prefixes));
            labels.add("other " + prefix + "+");
        }
        names.add(fresh("", exact, prefixes));
        labels.add("any other");
    }

    /** A name starting with {@code stem} that is no exact name and that no longer prefix reaches. */
    private static String fresh(String stem, Set<String> exact, Set<String> prefixes) {
        String letters = "xyzqwabcdefghijklmnoprstuv0123456789";
        for (int n = 0; n < letters.length() * 100; n++) {
            String name = stem + letters.charAt(n % letters.length()) + (n / letters.length());
            if (!exact.contains(name) && prefixes.stream().noneMatch(p -> p.length() > stem.length()
                    && name.startsWith(p))) {
                return name;
            }
        }
        throw new IllegalStateException("no interface name is free under " + stem + "+");
    }

    int size() {
        return names.size();
    }

    String name(int index) {
        return names.get(index);
    }

    /** The name as a region's text shows it: a stand-in name as the names it stands for. */
    String label(int index) {
        return labels.get(index);
    }

    /**
     * The index standing for a real interface name: the name when a rule spells it, else the stand-in
     * of the longest {@code +} pattern it matches (which matches exactly the patterns the name does),
     * else "any other".
     */
    int indexOf(String name) {
        int spelt = names.subList(1, names.size()).indexOf(name);
        if (spelt >= 0 && !standIns.containsValue(spelt + 1)) {
            return spelt + 1;
        }
        int best = names.size() - 1;
        int longest = -1;
        for (java.util.Map.Entry<String, Integer> p : standIns.entrySet()) {
            if (name.startsWith(p.getKey()) && p.getKey().length() > longest) {
                best = p.getValue();
                longest = p.getKey().length();
            }
        }
        return best;
    }

    /** The indices of the names (never "no interface") that {@code pattern} matches, as the kernel does. */
    List<Integer> matching(String pattern) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i < names.size(); i++) {
            String name = names.get(i);
            boolean matches = pattern.endsWith("+") ? name.startsWith(pattern.substring(0, pattern.length() - 1))
                    : name.equals(pattern);
            if (matches) {
                out.add(i);
            }
        }
        return out;
    }
}
