/**
 * What every feature's controllers share about a referral on the API: its view ({@link
 * org.pathways.referral.web.ReferralView}, which parts a caller sees) and its version as {@code ETag} /
 * {@code If-Match} ({@link org.pathways.referral.web.ExpectedVersion}).
 */
package org.pathways.referral.web;
