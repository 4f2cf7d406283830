package org.pathways.progression.live;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Live updates ({@code pathways.progression.live.*}): how long one stream lives before the client reconnects, how
 * often an idle stream carries a heartbeat, how often pending changes are sent, and how many streams one instance
 * holds open at most.
 */
@ConfigurationProperties("pathways.progression.live")
public record LiveProperties(@DefaultValue("PT10M") Duration lifetime, @DefaultValue("PT15S") Duration heartbeat,
                             @DefaultValue("PT1S") Duration flush, @DefaultValue("200") int maxSubscribers) {
}
