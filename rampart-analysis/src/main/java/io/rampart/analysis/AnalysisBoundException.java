package io.rampart.analysis;

/**
 * An analysis stopped because its decision diagrams outgrew their bound, a number of nodes fixed by
 * the ruleset's size: the same ruleset stops at the same point on any machine, whatever its load or heap.
 */
public final class AnalysisBoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long nodes;

    AnalysisBoundException(long nodes) {
        super("the analysis needs more than " + nodes + " decision-diagram nodes");
        this.nodes = nodes;
    }

    /** The bound, in nodes. */
    public long nodes() {
        return nodes;
    }
}
