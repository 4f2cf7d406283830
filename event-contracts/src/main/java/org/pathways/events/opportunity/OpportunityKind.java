package org.pathways.events.opportunity;

/** What kind of thing an opportunity is. */
public enum OpportunityKind {
    INFORMAL_LEARNING,
    NON_FORMAL_LEARNING,
    FORMAL_LEARNING,
    ADVICE,
    HEALTH_AND_WELLBEING,
    EMPLOYMENT_SUPPORT,
    CHILDCARE,
    VOLUNTEERING
}
