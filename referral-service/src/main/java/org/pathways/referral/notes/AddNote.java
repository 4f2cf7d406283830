package org.pathways.referral.notes;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** A handoff note in the thread between the two agencies: text only. */
public record AddNote(@NotBlank @Size(max = 4000) String text) {
}
