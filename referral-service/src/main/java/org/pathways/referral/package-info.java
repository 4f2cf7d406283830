/**
 * The referral-service owns referrals and their closed-loop lifecycle between agencies. The
 * {@link org.pathways.referral.domain.Referral} aggregate and its value types live in {@code domain}: it guards its
 * own transitions, response-time clocks, notes, re-routing and erasure, and depends on no feature. One package per
 * feature around it, each depending on {@code domain} and never in a cycle with another (checked by
 * {@code ArchitectureTest}): {@code submission}, {@code lifecycle} (transitions), {@code notes}, {@code inbox},
 * {@code consent} (withdrawal and expiry cascade), {@code sla} (the working calendar and the overdue check),
 * {@code rerouting}, {@code nextsteps} (the progression chain), {@code erasure} (the right to erasure); the API's
 * view of a referral and {@code If-Match} in {@code web}; shared settings in {@code config}. It learns consents,
 * opportunities and agencies only from events ({@link org.pathways.referral.readmodel}), never by reading another
 * service's database; the read models tell the consent and erasure features what happened through listeners, so
 * they depend on no feature either.
 */
package org.pathways.referral;
