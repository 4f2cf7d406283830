/**
 * The learner-profile-service owns learner profiles (personal details that never leave it except through its API)
 * and the consent records that decide which agencies may read a profile or receive a referral summary.
 *
 * <ul>
 *   <li>{@link org.pathways.learner.profile}: the learner aggregate (with its embedded consents, milestones and
 *   links), registration with duplicate detection, updates, links, merges, erasure and agency-scoped reading.</li>
 *   <li>{@link org.pathways.learner.consent}: recording, withdrawing and checking consent.</li>
 *   <li>{@link org.pathways.learner.matching}: whether two people's details are likely the same person.</li>
 *   <li>{@link org.pathways.learner.milestone}: the progression timeline, from workers and from referral
 *   events.</li>
 *   <li>{@link org.pathways.learner.audit}: the record of every access to personal data.</li>
 * </ul>
 */
package org.pathways.learner;
