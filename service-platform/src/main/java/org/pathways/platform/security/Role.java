package org.pathways.platform.security;

/** What a caller may do, carried in the token's {@code roles} claim. */
public enum Role {
    /** An adviser, tutor or key worker at an agency. */
    WORKER,
    /** Manages the agency's subscriptions and opportunities. */
    AGENCY_ADMIN,
    /** An agency's own system (college MIS, council CRM), client-credentials. */
    AGENCY_SYSTEM,
    /** Sees aggregates and referral metadata across the partnership, never personal data. */
    COORDINATOR,
    PLATFORM_ADMIN;

    public String authority() {
        return "ROLE_" + name();
    }
}
