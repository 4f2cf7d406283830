package org.pathways.catalogue.opportunity;

import java.util.List;
import java.util.Set;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * Who may take an opportunity: an age range, residence in one of some localities, receipt of any one of some
 * benefits, and a prior qualification level (at least). Anything absent is not a condition. {@code description}
 * says who it is for in words (shown, never matched on).
 */
public record Eligibility(
        @PositiveOrZero @Max(130) Integer minAge,
        @PositiveOrZero @Max(130) Integer maxAge,
        @Size(max = 50) List<@NotBlank @Size(max = 100) String> residentIn,
        @Size(max = 10) Set<Benefit> benefits,
        @Pattern(regexp = Opportunity.LEVEL_PATTERN) String priorLevel,
        @Size(max = 1000) String description) {

    public Eligibility {
        residentIn = residentIn == null ? List.of() : residentIn.stream().map(String::strip).distinct().toList();
        benefits = benefits == null ? Set.of() : Set.copyOf(benefits);
        description = description == null || description.isBlank() ? null : description.strip();
        if (minAge != null && maxAge != null && maxAge < minAge) {
            throw new IllegalArgumentException("The age range is upside down");
        }
    }

    public Eligibility(Integer minAge, Integer maxAge, List<String> residentIn, Set<Benefit> benefits,
                       String priorLevel) {
        this(minAge, maxAge, residentIn, benefits, priorLevel, null);
    }

    public static Eligibility anyone() {
        return new Eligibility(null, null, List.of(), Set.of(), null, null);
    }
}
