package io.rampart.property;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Values smaller than a failing one, simplest first; the property keeps the first that still fails
 * and asks again, until none does.
 *
 * @param <T> the value shrunk
 */
@FunctionalInterface
public interface Shrinker<T> {

    Stream<T> candidates(T value);

    static <T> Shrinker<T> none() {
        return value -> Stream.empty();
    }

    /** A number toward zero: zero, half, one less. */
    static Shrinker<Integer> towardZero() {
        return n -> n == 0 ? Stream.empty() : Stream.of(0, n / 2, n - 1).filter(m -> Math.abs(m) < Math.abs(n)).distinct();
    }

    /**
     * A list: without its second half, then without each element, then with one element shrunk by
     * {@code elements}.
     */
    static <E> Shrinker<List<E>> list(Shrinker<E> elements) {
        return list -> {
            Stream<List<E>> halved = list.size() > 1 ? Stream.of(List.copyOf(list.subList(0, list.size() / 2)))
                    : Stream.empty();
            Stream<List<E>> shorter = IntStream.range(0, list.size()).mapToObj(i -> {
                List<E> without = new ArrayList<>(list);
                without.remove(i);
                return List.copyOf(without);
            });
            Stream<List<E>> simpler = IntStream.range(0, list.size()).boxed().flatMap(i -> elements.candidates(list.get(i))
                    .map(e -> {
                        List<E> changed = new ArrayList<>(list);
                        changed.set(i, e);
                        return List.copyOf(changed);
                    }));
            return Stream.concat(halved, Stream.concat(shorter, simpler));
        };
    }
}
