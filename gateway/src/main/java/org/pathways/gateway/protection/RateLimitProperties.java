package org.pathways.gateway.protection;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the per-client buckets live. Without {@code redisUri} each gateway instance keeps its own buckets in
 * memory; with it, every instance shares them in Redis, so a client's limit holds however many instances there are.
 *
 * @param redisUri     e.g. {@code redis://redis:6379} (from {@code REDIS_URL}); empty for in-memory buckets
 * @param redisTimeout how long one bucket operation may wait for Redis before the gateway lets the request through
 */
@ConfigurationProperties("pathways.gateway.rate-limit")
public record RateLimitProperties(URI redisUri, @DefaultValue("500ms") Duration redisTimeout) {

    public boolean sharedInRedis() {
        return redisUri != null && !redisUri.toString().isBlank();
    }
}
