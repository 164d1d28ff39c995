package io.rampart.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class SplitTest {

    @Test
    void equalWeightsGiveKubeProxysOneOverNThenOneOverNMinusOne() {
        assertThat(Split.probabilities(List.of(1, 1))).containsExactly(0.5, 1.0);
        assertThat(Split.probabilities(List.of(1, 1, 1))).containsExactly(1 / 3.0, 0.5, 1.0);
        assertThat(Split.probabilities(List.of(1, 1, 1, 1, 1))).containsExactly(0.2, 0.25, 1 / 3.0, 0.5, 1.0);
    }

    @Test
    void weightsTakeTheirShareOfWhatTheRulesBeforeLeft() {
        assertThat(Split.probabilities(List.of(3, 1))).containsExactly(0.75, 1.0);
        assertThat(Split.probabilities(List.of(1, 2, 1))).containsExactly(0.25, 2 / 3.0, 1.0);
        assertThat(Split.shares(List.of(1, 2, 1))).containsExactly(0.25, 0.5, 0.25);
    }

    @Test
    void theRulesInSequenceGiveEachDestinationItsShare() {
        List<Integer> weights = List.of(5, 1, 7, 2, 2, 9);
        List<Double> probabilities = Split.probabilities(weights);
        List<Double> shares = Split.shares(weights);
        double reaching = 1.0;
        for (int i = 0; i < weights.size(); i++) {
            assertThat(reaching * probabilities.get(i)).isCloseTo(shares.get(i), within(1e-12));
            reaching *= 1 - probabilities.get(i);
        }
        assertThat(reaching).isZero();
    }
}
