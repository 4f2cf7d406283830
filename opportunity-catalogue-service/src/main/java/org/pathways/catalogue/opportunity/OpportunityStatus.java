package org.pathways.catalogue.opportunity;

/**
 * DRAFT → PUBLISHED ⇄ FULL → WITHDRAWN or ENDED; PUBLISHED or FULL ⇄ TEMPORARILY_CLOSED (→ WITHDRAWN or ENDED). FULL
 * follows the places taken (a place released reopens it); WITHDRAWN and ENDED are final.
 */
public enum OpportunityStatus {
    /** Being written; only the provider sees it. */
    DRAFT,
    /** Open to referrals and visible to every agency. */
    PUBLISHED,
    /** Published, but every place is taken (referrals may still join its waiting list if it keeps one). */
    FULL,
    /**
     * Takes no referrals for now and may open again, as the Open Referral feed it comes from says ("temporarily
     * closed", "inactive"); still visible, not listed. Other services' events know only whether an opportunity
     * takes referrals, so closing is announced as a withdrawal and opening again as a publication.
     */
    TEMPORARILY_CLOSED,
    /** Takes no more referrals; still visible, so referrals already made can show what they were for. */
    WITHDRAWN,
    /** Has run its course; still visible for the same reason. */
    ENDED;

    /** Whether other agencies can find it in the catalogue. */
    public boolean isListed() {
        return this == PUBLISHED || this == FULL;
    }

    /**
     * The status as the published events name it (PUBLISHED, FULL, WITHDRAWN, ENDED): a temporarily closed one
     * takes no referrals, as a withdrawn one.
     */
    public String eventCode() {
        return this == TEMPORARILY_CLOSED ? WITHDRAWN.name() : name();
    }
}
