package org.pathways.progression.live;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Live updates ({@code pathways.progression.live.*}): how long one stream lives before the client reconnects, how
 * often an idle stream carries a heartbeat, how often pending changes are sent, how many streams one instance
 * holds open at most, and how many of them one person may hold (a few dashboard tabs), so that nobody takes every
 * stream from the others.
 */
@ConfigurationProperties("pathways.progression.live")
public record LiveProperties(@DefaultValue("PT10M") Duration lifetime, @DefaultValue("PT15S") Duration heartbeat,
                             @DefaultValue("PT1S") Duration flush, @DefaultValue("200") int maxSubscribers,
                             @DefaultValue("5") int maxPerCaller) {
}
