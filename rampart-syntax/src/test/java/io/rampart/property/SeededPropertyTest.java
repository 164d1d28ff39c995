package io.rampart.property;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SeededPropertyTest {

    private static final Function<Random, List<Integer>> LISTS = random -> {
        List<Integer> list = new ArrayList<>();
        for (int n = random.nextInt(20); n > 0; n--) {
            list.add(random.nextInt(100));
        }
        return list;
    };

    @AfterEach
    void clearSeed() {
        System.clearProperty(SeededProperty.SEED);
    }

    @Test
    void aFailureNamesTheSeedAndTheShrunkValue() {
        System.setProperty(SeededProperty.SEED, "42");
        assertThatThrownBy(() -> SeededProperty.of("no big numbers", 200, LISTS)
                .shrinking(Shrinker.list(Shrinker.towardZero()))
                .check(list -> assertThat(list).allMatch(n -> n < 50)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no big numbers fails at try")
                .hasMessageContaining("(seed 42, replay with -Dproperty.seed=42)")
                .hasMessageContaining("shrunk: [50]");
    }

    @Test
    void theSameSeedDrawsTheSameValues() {
        System.setProperty(SeededProperty.SEED, "7");
        List<List<Integer>> first = new ArrayList<>();
        List<List<Integer>> second = new ArrayList<>();
        SeededProperty.of("record", 30, LISTS).check(first::add);
        SeededProperty.of("record", 30, LISTS).check(second::add);
        assertThat(first).hasSize(30).isEqualTo(second);
    }

    @Test
    void aPropertyThatHoldsPassesEveryTry() {
        List<Integer> sizes = new ArrayList<>();
        SeededProperty.of("sizes", 50, LISTS).check(list -> sizes.add(list.size()));
        assertThat(sizes).hasSize(50).allMatch(n -> n < 20);
    }
}
