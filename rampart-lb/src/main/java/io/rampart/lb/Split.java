package io.rampart.lb;

import java.util.ArrayList;
import java.util.List;

/**
 * The chance each rule of a split takes a new connection, as kube-proxy computes it: rule i sees only
 * what the rules before it left, so it takes weight i over the weights of it and all after it. With
 * equal weights that is 1/n, 1/(n-1), ..., 1, and every destination gets its weight's share overall.
 */
public final class Split {

    private Split() {
    }

    /** One probability per weight; the last is always 1. */
    public static List<Double> probabilities(List<Integer> weights) {
        List<Double> probabilities = new ArrayList<>();
        long remaining = weights.stream().mapToLong(Integer::longValue).sum();
        for (int weight : weights) {
            probabilities.add((double) weight / remaining);
            remaining -= weight;
        }
        return probabilities;
    }

    /** Each destination's share of all connections: its weight over the sum. */
    public static List<Double> shares(List<Integer> weights) {
        double total = weights.stream().mapToLong(Integer::longValue).sum();
        return weights.stream().map(w -> w / total).toList();
    }
}
