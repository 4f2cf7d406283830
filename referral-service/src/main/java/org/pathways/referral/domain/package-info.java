/**
 * The referral aggregate ({@link org.pathways.referral.domain.Referral}) and its value types: the actions and who may
 * take them ({@link org.pathways.referral.domain.ReferralAction}, {@link org.pathways.referral.domain.Actor}), what
 * the learner agreed to share ({@link org.pathways.referral.domain.SharedSummary}) and the refusals the aggregate
 * raises itself. Features depend on this package; it depends on none of them (as eShop's {@code Ordering.Domain}).
 */
package org.pathways.referral.domain;
