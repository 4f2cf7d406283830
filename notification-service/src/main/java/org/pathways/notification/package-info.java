/**
 * The notification-service gives each agency what concerns it, and nothing else: agencies subscribe an endpoint to
 * event types ({@link org.pathways.notification.subscription}); referral and learner events are routed to the agencies
 * they concern ({@link org.pathways.notification.routing}); each delivery is a signed Standard Webhooks POST of the
 * CloudEvent, retried on a schedule, guarded by a circuit breaker and a bulkhead per endpoint, logged attempt by
 * attempt, parked when it keeps failing and redelivered on request ({@link org.pathways.notification.delivery}).
 * Agency systems can also pull a replayable feed ({@link org.pathways.notification.feed}); people are told of what
 * needs them in an in-app inbox ({@link org.pathways.notification.inapp}) and by e-mail, each worker who asked for it
 * in their own language, else the agency's contact address ({@link org.pathways.notification.email}).
 */
package org.pathways.notification;
