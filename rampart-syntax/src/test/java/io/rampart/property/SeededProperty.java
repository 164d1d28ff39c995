package io.rampart.property;

import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A property checked over values drawn from seeded random generators. Each run draws a new seed
 * unless {@code -Dproperty.seed=N} gives one; a failure names the seed, the try and the smallest
 * failing value the shrinker found, so {@code -Dproperty.seed=N} replays exactly that run.
 *
 * @param <T> the generated value
 */
public final class SeededProperty<T> {

    /** The system property that fixes the seed of every property of a run. */
    public static final String SEED = "property.seed";

    private static final int MAX_SHRINK_STEPS = 10_000;

    private final String name;
    private final int tries;
    private final Function<Random, T> generator;
    private final Shrinker<T> shrinker;

    private SeededProperty(String name, int tries, Function<Random, T> generator, Shrinker<T> shrinker) {
        this.name = name;
        this.tries = tries;
        this.generator = generator;
        this.shrinker = shrinker;
    }

    /** {@code tries} values drawn by {@code generator}, not shrunk. */
    public static <T> SeededProperty<T> of(String name, int tries, Function<Random, T> generator) {
        return new SeededProperty<>(name, tries, generator, Shrinker.none());
    }

    /** The same values; a failing one is made smaller with {@code shrinker} before it is reported. */
    public SeededProperty<T> shrinking(Shrinker<T> smaller) {
        return new SeededProperty<>(name, tries, generator, smaller);
    }

    /** The run's seed: {@code -Dproperty.seed} if given, else a fresh one. */
    public static long seed() {
        String given = System.getProperty(SEED);
        return given == null || given.isBlank() ? new Random().nextLong() : Long.parseLong(given.strip());
    }

    /** Checks {@code property} (which throws, e.g. an AssertJ assertion, when it does not hold) on every try. */
    public void check(Consumer<T> property) {
        long seed = seed();
        Random random = new Random(seed);
        for (int t = 1; t <= tries; t++) {
            T value = generator.apply(random);
            Optional<Throwable> failure = failure(property, value);
            if (failure.isPresent()) {
                T smallest = shrink(property, value);
                AssertionError error = new AssertionError(name + " fails at try " + t + " of " + tries + " (seed " + seed
                        + ", replay with -D" + SEED + "=" + seed + ")\n  drawn:  " + value + "\n  shrunk: " + smallest
                        + "\n  " + failure(property, smallest).orElse(failure.get()).getMessage(), failure.get());
                throw error;
            }
        }
    }

    private T shrink(Consumer<T> property, T failing) {
        T current = failing;
        int steps = 0;
        boolean smaller = true;
        while (smaller && steps < MAX_SHRINK_STEPS) {
            smaller = false;
            for (T candidate : (Iterable<T>) shrinker.candidates(current)::iterator) {
                steps++;
                if (failure(property, candidate).isPresent()) {
                    current = candidate;
                    smaller = true;
                    break;
                }
                if (steps >= MAX_SHRINK_STEPS) {
                    break;
                }
            }
        }
        return current;
    }

    private static <T> Optional<Throwable> failure(Consumer<T> property, T value) {
        try {
            property.accept(value);
            return Optional.empty();
        } catch (AssertionError | RuntimeException e) {
            return Optional.of(e);
        }
    }
}
