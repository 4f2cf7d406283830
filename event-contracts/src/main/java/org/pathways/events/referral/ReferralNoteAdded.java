package org.pathways.events.referral;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/** One of the two agencies added a handoff note; its text is read through the referral-service API only. */
public record ReferralNoteAdded(String referralId, String noteId, String referringAgencyId, String receivingAgencyId,
        String authorAgencyId, Instant addedAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return referralId;
    }
}
