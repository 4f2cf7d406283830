/** Journeys along pathways: referrals chained by the referral each follows on from, per pathway step. */
package org.pathways.progression.journeys;
