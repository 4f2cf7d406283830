package org.pathways.learner;

import org.pathways.testing.HttpApi;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.TestTokens;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one Spring context of this module's service tests (every subclass shares it): the real service on a random
 * port, with the shared Kafka broker and MongoDB-wire store.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=" + LearnerProfileServiceApplication.NAME)
public abstract class RunningService {

    protected static final String COLLEGE = "agency-college";
    protected static final String COUNCIL = "agency-council";
    protected static final String HOUSING = "agency-housing";
    protected static final Duration EVENT_DEADLINE = Duration.ofSeconds(20);

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry, "learner-profiles");
    }

    protected HttpApi api() {
        return new HttpApi(port);
    }

    protected static Map<String, Object> learnerDetails() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("givenName", "Amina");
        details.put("familyName", "Okafor");
        details.put("preferredName", "Mina");
        details.put("dateOfBirth", "1994-03-17");
        details.put("email", "amina.okafor@example.org");
        details.put("phone", "+44 7700 900123");
        details.put("localityCode", "LS6");
        details.put("preferredLanguage", "en");
        return details;
    }

    /** Registers a learner as a worker of {@code agency}; returns its id. */
    protected String registerLearner(String agency) {
        HttpApi.Response response = api().post("/api/learners", TestTokens.worker(agency), learnerDetails());
        assertThat(response.status()).isEqualTo(201);
        return response.text("id");
    }

    protected static JsonNode cloudEvent(ConsumerRecord<String, byte[]> record) {
        return HttpApi.JSON.readTree(record.value());
    }

    protected static boolean isOfType(ConsumerRecord<String, byte[]> record, String key, String type) {
        return key.equals(record.key()) && type.equals(cloudEvent(record).path("type").asString());
    }
}
