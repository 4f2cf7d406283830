package org.pathways.catalogue.opportunity;

/** DRAFT → PUBLISHED → WITHDRAWN; nothing else. */
public enum OpportunityStatus {
    /** Being written; only the provider sees it. */
    DRAFT,
    /** Open to referrals and visible to every agency. */
    PUBLISHED,
    /** Takes no more referrals; still visible, so referrals already made can show what they were for. */
    WITHDRAWN
}
