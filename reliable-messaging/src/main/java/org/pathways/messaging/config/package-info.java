/** The module's settings ({@code pathways.messaging.*}): outbox, relay, inbox, erasure retries. */
package org.pathways.messaging.config;
