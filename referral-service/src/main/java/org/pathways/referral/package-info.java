/**
 * The referral-service owns referrals and their lifecycle. It learns consents and opportunities only from events
 * ({@link org.pathways.referral.readmodel}), never by reading another service's database.
 */
package org.pathways.referral;
