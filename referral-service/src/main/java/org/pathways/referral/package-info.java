/**
 * The referral-service owns referrals and their closed-loop lifecycle between agencies. One package per feature:
 * {@code submission} (the {@link org.pathways.referral.submission.Referral} aggregate, which guards its own
 * transitions, and submitting), {@code lifecycle}, {@code notes}, {@code inbox}, {@code consent} (withdrawal
 * cascade), {@code sla}, {@code rerouting}; shared settings in {@code config}. It learns consents and opportunities
 * only from events ({@link org.pathways.referral.readmodel}), never by reading another service's database.
 */
package org.pathways.referral;
