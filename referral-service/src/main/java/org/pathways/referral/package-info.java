/**
 * The referral-service owns referrals and their closed-loop lifecycle between agencies. One package per feature:
 * {@code submission} (the {@link org.pathways.referral.submission.Referral} aggregate, which guards its own
 * transitions, and submitting), {@code lifecycle} (transitions and {@code If-Match}), {@code notes}, {@code inbox},
 * {@code consent} (withdrawal and expiry cascade), {@code sla} (the working calendar and the overdue check),
 * {@code rerouting}, {@code nextsteps} (the progression chain), {@code erasure} (the right to erasure); shared
 * settings in {@code config}. It learns
 * consents, opportunities and agencies only from events ({@link org.pathways.referral.readmodel}), never by reading
 * another service's database.
 */
package org.pathways.referral;
