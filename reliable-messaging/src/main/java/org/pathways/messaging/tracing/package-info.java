/** The trace context along the event path (outbox, relay, inbox): Micrometer Tracing spans and W3C traceparent. */
package org.pathways.messaging.tracing;
