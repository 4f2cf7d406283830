package org.pathways.catalogue.matching;

import java.util.List;
import java.util.Set;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.pathways.catalogue.opportunity.Benefit;
import org.pathways.catalogue.opportunity.TimeSlot;

/**
 * A learner's needs, as a worker describes them (codes and keywords, no identity): where they live (a locality,
 * and optionally a point and how far they can travel), the language they learn in, their current level, their age
 * and benefits where eligibility depends on them, barriers, goals (keywords such as "english", "care work") and
 * when they are free.
 */
public record MatchRequest(
        @Size(max = 100) String locality,
        @DecimalMin("-90") @DecimalMax("90") Double latitude,
        @DecimalMin("-180") @DecimalMax("180") Double longitude,
        @DecimalMin("0.1") @DecimalMax("500") Double maxDistanceKm,
        @Pattern(regexp = "[a-z]{2,3}") String language,
        @Pattern(regexp = "E[1-3]|L[1-8]") String level,
        @PositiveOrZero @Max(130) Integer age,
        @Size(max = 10) Set<Benefit> benefits,
        @Size(max = 10) Set<Barrier> barriers,
        @Size(max = 20) List<@NotBlank @Size(max = 100) String> goals,
        @Size(max = 3) Set<TimeSlot> availability,
        @Min(1) @Max(50) Integer limit) {

    public MatchRequest {
        locality = locality == null || locality.isBlank() ? null : locality.strip();
        benefits = benefits == null ? Set.of() : Set.copyOf(benefits);
        barriers = barriers == null ? Set.of() : Set.copyOf(barriers);
        goals = goals == null ? List.of() : List.copyOf(goals);
        availability = availability == null ? Set.of() : Set.copyOf(availability);
        maxDistanceKm = maxDistanceKm == null ? 15.0 : maxDistanceKm;
        limit = limit == null ? 20 : limit;
        if ((latitude == null) != (longitude == null)) {
            throw new IllegalArgumentException("Give both latitude and longitude, or neither");
        }
    }
}
