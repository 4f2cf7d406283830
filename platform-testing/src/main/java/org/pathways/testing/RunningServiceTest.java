package org.pathways.testing;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * What every service's test base ({@code <Service>ServiceTest}: {@code LearnerProfileServiceTest},
 * {@code ReferralServiceTest}…) shares: the service under test running for real on a random port, reached over real
 * HTTP, and the events it publishes read as structured CloudEvents. Each service's base adds its
 * {@code @SpringBootTest} properties and its database ({@link SharedInfrastructure#register}), so that all of one
 * module's service tests share one Spring context.
 */
public abstract class RunningServiceTest {

    @LocalServerPort
    protected int port;

    /** The service's HTTP API, as a client outside it calls it. */
    protected HttpApi api() {
        return new HttpApi(port);
    }

    /** The structured CloudEvent a record carries (its {@code data} is the event's own JSON). */
    protected static JsonNode cloudEvent(ConsumerRecord<String, byte[]> record) {
        return HttpApi.JSON.readTree(record.value());
    }

    /** Whether the record is an event of {@code type} about the aggregate {@code key}. */
    protected static boolean isOfType(ConsumerRecord<String, byte[]> record, String key, String type) {
        return key.equals(record.key()) && type.equals(cloudEvent(record).path("type").asString());
    }
}
