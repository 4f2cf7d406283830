/**
 * Reliable messaging, the same way in every service.
 *
 * <ul>
 *   <li>{@link org.pathways.messaging.outbox}: a change and the events it causes are one atomic write to the
 *   aggregate's own MongoDB document (no multi-document transaction), published right after the write and swept
 *   again if a crash came between the two.</li>
 *   <li>{@link org.pathways.messaging.inbox}: consumers remember the event ids they processed and skip repeats;
 *   failures are retried with back-off by the binder and then dead-lettered.</li>
 *   <li>{@link org.pathways.messaging.cloudevents}: the CloudEvents 1.0 envelope (structured JSON) on Kafka.</li>
 * </ul>
 */
package org.pathways.messaging;
