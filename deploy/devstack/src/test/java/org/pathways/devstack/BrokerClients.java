package org.pathways.devstack;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/** What the tests of the devstack's own broker need to reach it: a free port for it, and a producer with a deadline. */
final class BrokerClients {

    private BrokerClients() {
    }

    /**
     * A producer with a service's client {@code config} that gives up a send after {@code deadline} (waiting that long
     * for metadata, e.g. while the broker boots), so that a refused or unanswered send fails the test, not hangs it.
     */
    static KafkaProducer<String, String> producer(Map<String, Object> config, Duration deadline) {
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) deadline.toMillis());
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(deadline.toMillis(), 10_000 + 5_000));
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
