package io.rampart.reconcile;

import java.util.ArrayList;
import java.util.List;

/**
 * The shortest edit script between two lists of rule lines (Myers' O(ND) algorithm), as the
 * operations iptables-restore executes by position: delete, insert, or replace in place. The
 * planner turns a chain's kernel lines into the file's with it; adopting goes the other way.
 */
public final class LineDiff {

    /** An edit at a 1-based position of the chain as it is when the edit runs. */
    public record Edit(Kind kind, int position, int fromIndex, int toIndex) {
        public enum Kind { DELETE, INSERT, REPLACE }
    }

    /**
     * Beyond this many differences the search stops and the differing middle is rewritten whole:
     * still correct and atomic, just not minimal, and the search stays fast.
     */
    private static final int MAX_DIFFERENCES = 2_000;

    private LineDiff() {
    }

    /**
     * The edits that turn {@code from} into {@code to}. Each {@code fromIndex}/{@code toIndex}
     * points into the input lists (-1 where it does not apply).
     */
    public static List<Edit> edits(List<String> from, List<String> to) {
        int prefix = 0;
        while (prefix < from.size() && prefix < to.size() && from.get(prefix).equals(to.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < from.size() - prefix && suffix < to.size() - prefix
                && from.get(from.size() - 1 - suffix).equals(to.get(to.size() - 1 - suffix))) {
            suffix++;
        }
        List<Step> steps = middle(from.subList(prefix, from.size() - suffix), to.subList(prefix, to.size() - suffix));
        return toEdits(steps, prefix);
    }

    /** One step of the script: keep, or delete {@code a[i]}, or insert {@code b[j]}. */
    private record Step(char op, int i, int j) {
    }

    private static List<Step> middle(List<String> a, List<String> b) {
        int n = a.size();
        int m = b.size();
        int max = n + m;
        if (max == 0) {
            return List.of();
        }
        // At least |n - m| lines differ: a search that cannot finish within the limit is not begun.
        if (Math.abs(n - m) > MAX_DIFFERENCES || n == 0 || m == 0) {
            return rewriteWhole(n, m);
        }
        int limit = Math.min(max, MAX_DIFFERENCES);
        int offset = max;
        int[] v = new int[2 * max + 2];
        // Step d reads only diagonals -d..d of the step before, so each is kept as that slice alone: the
        // trace of D steps is D^2 ints, not D times the whole array (which for a chain of 100,000 rules
        // was gigabytes).
        List<int[]> trace = new ArrayList<>();
        for (int d = 0; d <= limit; d++) {
            trace.add(java.util.Arrays.copyOfRange(v, offset - d, offset + d + 1));
            for (int k = -d; k <= d; k += 2) {
                int x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]))
                        ? v[offset + k + 1] : v[offset + k - 1] + 1;
                int y = x - k;
                while (x < n && y < m && a.get(x).equals(b.get(y))) {
                    x++;
                    y++;
                }
                v[offset + k] = x;
                if (x >= n && y >= m) {
                    return backtrack(trace, a, b, d);
                }
            }
        }
        return rewriteWhole(n, m);
    }

    private static List<Step> backtrack(List<int[]> trace, List<String> a, List<String> b, int last) {
        List<Step> reversed = new ArrayList<>();
        int x = a.size();
        int y = b.size();
        for (int d = last; d > 0; d--) {
            int[] v = trace.get(d);
            int k = x - y;
            // v[d + j] is diagonal j as step d - 1 left it.
            int previousK = (k == -d || (k != d && v[d + k - 1] < v[d + k + 1])) ? k + 1 : k - 1;
            int previousX = v[d + previousK];
            int previousY = previousX - previousK;
            while (x > previousX && y > previousY) {
                reversed.add(new Step('=', --x, --y));
            }
            if (x == previousX) {
                reversed.add(new Step('+', -1, --y));
            } else {
                reversed.add(new Step('-', --x, -1));
            }
        }
        while (x > 0 && y > 0) {
            reversed.add(new Step('=', --x, --y));
        }
        List<Step> steps = new ArrayList<>(reversed.size());
        for (int i = reversed.size() - 1; i >= 0; i--) {
            steps.add(reversed.get(i));
        }
        return steps;
    }

    private static List<Step> rewriteWhole(int n, int m) {
        List<Step> steps = new ArrayList<>(n + m);
        for (int i = 0; i < n; i++) {
            steps.add(new Step('-', i, -1));
        }
        for (int j = 0; j < m; j++) {
            steps.add(new Step('+', -1, j));
        }
        return steps;
    }

    /**
     * Positions as the kernel sees them while the edits run in order; a deletion followed by an
     * insertion at the same place becomes one replacement, so the rule is never missing.
     */
    private static List<Edit> toEdits(List<Step> steps, int prefix) {
        List<Edit> edits = new ArrayList<>();
        int position = prefix + 1;
        List<Step> deletions = new ArrayList<>();
        List<Step> insertions = new ArrayList<>();
        for (int s = 0; s <= steps.size(); s++) {
            Step step = s < steps.size() ? steps.get(s) : null;
            if (step != null && step.op() == '-') {
                deletions.add(step);
                continue;
            }
            if (step != null && step.op() == '+') {
                insertions.add(step);
                continue;
            }
            position = flush(deletions, insertions, position, prefix, edits);
            if (step != null) {
                position++;
            }
        }
        return edits;
    }

    private static int flush(List<Step> deletions, List<Step> insertions, int position, int prefix,
                             List<Edit> edits) {
        int paired = Math.min(deletions.size(), insertions.size());
        for (int p = 0; p < paired; p++) {
            edits.add(new Edit(Edit.Kind.REPLACE, position++, prefix + deletions.get(p).i(),
                    prefix + insertions.get(p).j()));
        }
        for (int p = paired; p < deletions.size(); p++) {
            edits.add(new Edit(Edit.Kind.DELETE, position, prefix + deletions.get(p).i(), -1));
        }
        for (int p = paired; p < insertions.size(); p++) {
            edits.add(new Edit(Edit.Kind.INSERT, position++, -1, prefix + insertions.get(p).j()));
        }
        deletions.clear();
        insertions.clear();
        return position;
    }
}
