package org.pathways.notification.notice;

/** Events that need a person at an agency, not only its systems. */
public enum NoticeKind {
    /** A referral arrived for the agency. */
    REFERRAL_ARRIVED(false),
    /** A referral the agency should answer missed its response time. */
    REFERRAL_OVERDUE(false),
    /** The lead worker of a learner changed: assigned to, handed over from or to, or ended at the agency. */
    LEAD_CHANGED(true),
    /** A step of a learner's plan was given to the agency (added for it, or passed to it) by another agency. */
    PLAN_STEP_ASSIGNED(true),
    /** A step of a learner's plan that the agency owns is past its due date. */
    PLAN_STEP_OVERDUE(true),
    /** A referral linked to a step of a learner's plan the agency is in the team of changed state. */
    PLAN_REFERRAL_CHANGED(true);

    private final boolean aboutTheTeam;

    NoticeKind(boolean aboutTheTeam) {
        this.aboutTheTeam = aboutTheTeam;
    }

    /** Whether the notice is about a learner's team and plan (opened on the learner's page) rather than a referral. */
    public boolean aboutTheTeam() {
        return aboutTheTeam;
    }
}
