/**
 * The notification-service gives each agency what concerns it, and nothing else: agencies subscribe an endpoint to
 * event types ({@link org.pathways.notification.subscription}), referral events are routed to the subscriptions of
 * the agencies party to the referral ({@link org.pathways.notification.routing}), and each delivery is a signed
 * Standard Webhooks POST of the CloudEvent, retried on a schedule, logged attempt by attempt, parked when it keeps
 * failing and redelivered on request ({@link org.pathways.notification.delivery}).
 */
package org.pathways.notification;
