package org.pathways.catalogue.opportunity;

/**
 * DRAFT → PUBLISHED ⇄ FULL → WITHDRAWN or ENDED. FULL follows the places taken (a place released reopens it);
 * WITHDRAWN and ENDED are final.
 */
public enum OpportunityStatus {
    /** Being written; only the provider sees it. */
    DRAFT,
    /** Open to referrals and visible to every agency. */
    PUBLISHED,
    /** Published, but every place is taken (referrals may still join its waiting list if it keeps one). */
    FULL,
    /** Takes no more referrals; still visible, so referrals already made can show what they were for. */
    WITHDRAWN,
    /** Has run its course; still visible for the same reason. */
    ENDED;

    /** Whether other agencies can find it in the catalogue. */
    public boolean isListed() {
        return this == PUBLISHED || this == FULL;
    }
}
