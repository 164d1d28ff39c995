package io.rampart.model.extension;

import java.util.Collection;

/** "Did you mean ...?" for misspelt words, by edit distance. */
public final class Suggestions {

    private Suggestions() {
    }

    /** {@code "did you mean X?"} for the closest candidate within reach, or null: a {@code Failure}'s hint. */
    public static String hint(String given, Collection<String> candidates) {
        String best = closest(given, candidates);
        return best == null ? null : "did you mean " + best + "?";
    }

    /** The candidate closest to {@code given} when it is close enough to be a typo, else null. */
    public static String closest(String given, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(given.toLowerCase(java.util.Locale.ROOT), candidate.toLowerCase(java.util.Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        int reach = Math.max(1, Math.min(3, given.length() / 3));
        return bestDistance <= reach ? best : null;
    }

    /** Damerau-Levenshtein distance (optimal string alignment): a swap of neighbours counts once. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
