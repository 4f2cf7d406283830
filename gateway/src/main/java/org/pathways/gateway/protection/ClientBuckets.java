package org.pathways.gateway.protection;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.caffeine.CaffeineProxyManager;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;

/**
 * The store of every client's token bucket: Bucket4j's own proxy managers, in memory (Caffeine) for one instance,
 * or in Redis (Lettuce, compare-and-swap) for several instances sharing one limit.
 */
final class ClientBuckets implements AutoCloseable {

    static final String REDIS_KEY_PREFIX = "pathways:rate-limit:";

    private final ProxyManager<String> proxyManager;
    private final RedisClient redis;
    private final StatefulRedisConnection<String, byte[]> connection;

    private ClientBuckets(ProxyManager<String> proxyManager, RedisClient redis,
                          StatefulRedisConnection<String, byte[]> connection) {
        this.proxyManager = proxyManager;
        this.redis = redis;
        this.connection = connection;
    }

    static ClientBuckets inMemory(Duration period) {
        return new ClientBuckets(new CaffeineProxyManager<>(Caffeine.newBuilder().maximumSize(100_000),
                period.multipliedBy(2)), null, null);
    }

    /**
     * Buckets in Redis. Commands fail at once while Redis is unreachable (instead of queueing), so that the rate
     * limiter can let traffic through rather than hold it.
     */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    static ClientBuckets inRedis(RateLimitProperties properties) {
        RedisURI uri = RedisURI.create(properties.redisUri());
        // The connection's set-up at start (its handshake) may take longer than one bucket operation: a freshly
        // started JVM on a busy machine took over 500 ms, and the gateway failed to start. Commands keep the short
        // time limit (timeoutOptions below, and the proxy manager's request timeout).
        uri.setTimeout(CONNECT_TIMEOUT);
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(properties.redisTimeout()))
                .build());
        try {
            StatefulRedisConnection<String, byte[]> connection =
                    client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            ProxyManager<String> proxyManager = Bucket4jLettuce.casBasedBuilder(connection)
                    // a full bucket is the same as no bucket: let Redis forget it once it would have refilled
                    .expirationAfterWrite(ExpirationAfterWriteStrategy
                            .basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                    .requestTimeout(properties.redisTimeout())
                    .build();
            return new ClientBuckets(proxyManager, client, connection);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    ProxyManager<String> proxyManager() {
        return proxyManager;
    }

    boolean sharedInRedis() {
        return redis != null;
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
        }
        if (redis != null) {
            redis.shutdown();
        }
    }
}
