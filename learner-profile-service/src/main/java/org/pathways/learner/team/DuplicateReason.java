package org.pathways.learner.team;

/**
 * Why two or more open referrals look like the same effort, most specific first (a group is named once, by its most
 * specific reason). Referral events carry no need code, so "the same need" is judged by where the referrals go.
 */
public enum DuplicateReason {
    /** To the same opportunity. */
    SAME_OPPORTUNITY,
    /** To the same agency. */
    SAME_AGENCY,
    /** To agencies of the same kind (two colleges, two housing providers): the same kind of provision. */
    SAME_AGENCY_KIND
}
