package org.pathways.catalogue.opportunity;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.pathways.events.opportunity.OpportunityKind;

/**
 * What a provider sends to draft an opportunity. {@code level} is a qualification level code (E1..E3 entry, L1..L8)
 * or absent; {@code capacity} absent means places are not limited. Text is trimmed; an absent description is
 * empty.
 */
public record DraftOpportunity(
        @NotBlank @Size(max = 200) String title,
        @Size(max = 4000) String description,
        @NotNull OpportunityKind kind,
        @Pattern(regexp = Opportunity.LEVEL_PATTERN) String level,
        @PositiveOrZero @Max(100_000) Integer capacity) {

    public DraftOpportunity {
        title = title == null ? null : title.strip();
        description = description == null ? "" : description.strip();
        level = level == null || level.isBlank() ? null : level.strip();
    }
}
