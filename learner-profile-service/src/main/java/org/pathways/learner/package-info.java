/**
 * The learner-profile-service owns learner profiles (personal details that never leave it except through its API)
 * and the consent records that decide which agencies may read a profile or receive a referral summary.
 *
 * <ul>
 *   <li>{@link org.pathways.learner.profile}: the learner aggregate (with its embedded consents), registration and
 *   agency-scoped reading.</li>
 *   <li>{@link org.pathways.learner.consent}: recording, withdrawing and checking consent.</li>
 * </ul>
 */
package org.pathways.learner;
