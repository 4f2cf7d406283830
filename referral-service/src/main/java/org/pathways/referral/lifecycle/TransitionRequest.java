package org.pathways.referral.lifecycle;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.pathways.events.referral.ReferralReason;
import org.pathways.referral.domain.ReferralAction;

/**
 * One step of a referral's lifecycle, asked for by an agency.
 *
 * @param reason     a code, required by REJECT and FAIL
 * @param reasonText the agency's words (required with reason OTHER); kept in the history, never in an event
 * @param version    the version of the referral the caller saw (or send it as {@code If-Match}): a stale one is a
 *                   409
 */
public record TransitionRequest(@NotNull ReferralAction action, ReferralReason reason,
                                @Size(max = 2000) String reasonText, @PositiveOrZero Long version) {
}
