package org.pathways.progression.events;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * That a projection changed, and for which agencies' figures (empty: figures no single agency is party to).
 * Carries no ids of people or referrals: it is what live subscribers are told.
 */
public record ProjectionChange(String projection, Set<String> agencies) {

    public ProjectionChange {
        agencies = Set.copyOf(agencies);
    }

    public static ProjectionChange of(String projection, String... agencies) {
        return new ProjectionChange(projection, Arrays.stream(agencies).filter(Objects::nonNull)
                .filter(a -> !a.isBlank()).collect(Collectors.toUnmodifiableSet()));
    }
}
