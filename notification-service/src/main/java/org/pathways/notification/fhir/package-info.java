/**
 * FHIR R4 {@code Subscription} (rest-hook) as an alternative to our webhooks: an agency registers a Subscription
 * resource on Tasks (or ServiceRequests) of the referrals it is party to; each change of such a referral is sent to
 * its endpoint through the same delivery machinery as webhooks (retries, SSRF guard, per-endpoint breaker and
 * bulkhead, delivery log, redelivery). The read API of the referrals themselves is the referral-service's.
 */
package org.pathways.notification.fhir;
