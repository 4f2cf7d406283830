package org.pathways.notification.notice;

/** Events that need a person at an agency, not only its systems. */
public enum NoticeKind {
    /** A referral arrived for the agency. */
    REFERRAL_ARRIVED,
    /** A referral the agency should answer missed its response time. */
    REFERRAL_OVERDUE
}
