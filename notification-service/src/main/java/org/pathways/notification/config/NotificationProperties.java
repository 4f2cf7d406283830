package org.pathways.notification.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who is told what, and how.
 *
 * @param coordinatorAgency the partnership coordinator's agency, which is also told of overdue referrals
 * @param webBaseUrl        where the web app is, for the links in e-mails and notifications
 * @param mailFrom          the sender of e-mails
 * @param mailPollInterval  how often queued e-mails are looked for
 * @param mailLease         how long a sender holds a queued e-mail; the SMTP timeouts together must be shorter
 */
@ConfigurationProperties("pathways.notifications")
public record NotificationProperties(
        @DefaultValue("partnership") String coordinatorAgency,
        @DefaultValue("http://localhost:8080") String webBaseUrl,
        @DefaultValue("pathways@localhost") String mailFrom,
        @DefaultValue("1s") Duration mailPollInterval,
        @DefaultValue("60s") Duration mailLease) {

    public NotificationProperties {
        if (!mailLease.isPositive()) {
            throw new IllegalArgumentException("pathways.notifications.mail-lease must be positive");
        }
    }

    /** The web app's page of a referral. */
    public String referralLink(String referralId) {
        return webBaseUrl.replaceAll("/+$", "") + "/referrals/" + referralId;
    }

    /** The web app's page of a learner, where the team and the plan are shown (to those allowed to see them). */
    public String learnerLink(String learnerId) {
        return webBaseUrl.replaceAll("/+$", "") + "/learners/" + learnerId + "#team";
    }

    /** Where an in-app notice is opened: the learner's team for a team notice, the referral otherwise. */
    public String linkOf(org.pathways.notification.notice.NoticeKind kind, String referralId, String learnerId) {
        return kind.aboutTheTeam() ? learnerLink(learnerId) : referralLink(referralId);
    }

    /**
     * Where an e-mail's link goes: the referral, or for a team notice the person's notifications in the app (which
     * link on to the learner), so that no learner id is written into an e-mail.
     */
    public String emailLink(org.pathways.notification.notice.NoticeKind kind, String referralId) {
        return kind.aboutTheTeam() ? webBaseUrl.replaceAll("/+$", "") + "/notifications" : referralLink(referralId);
    }
}
