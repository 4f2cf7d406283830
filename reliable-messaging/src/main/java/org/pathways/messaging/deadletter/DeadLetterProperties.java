package org.pathways.messaging.deadletter;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code pathways.messaging.dead-letters.*}
 *
 * @param enabled   the administrators' endpoint and the gauges (on wherever a service consumes events and serves HTTP)
 * @param timeout   how long reading the dead-letter topic or re-driving a record may take before a 503
 * @param scanEvery how often each instance recounts the open dead letters for {@code pathways.dead.letters.open}
 */
@ConfigurationProperties("pathways.messaging.dead-letters")
public record DeadLetterProperties(@DefaultValue("true") boolean enabled, @DefaultValue("10s") Duration timeout,
                                   @DefaultValue("1m") Duration scanEvery) {
}
