package org.pathways.catalogue;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.pathways.testing.HttpApi;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.pathways.testing.MongoQueryLog;
import org.pathways.testing.RunningServiceTest;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.StoreFaults;
import org.pathways.testing.TestTokens;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one Spring context of this module's service tests (every subclass shares it): the real service on a random
 * port, with the shared Kafka broker and MongoDB-wire store.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=" + OpportunityCatalogueServiceApplication.NAME,
                "pathways.catalogue.search.directory=memory", "pathways.catalogue.search.reconcile-every=PT1H",
                // An import may hold 24 MB here (of a heap of any size), so that the guard is tested with small feeds.
                "pathways.catalogue.hsds.imports.memory=24MB"})
@Import({MongoQueryLog.class, org.pathways.testing.StoreCommands.class, StoreFaults.class})
public abstract class OpportunityCatalogueServiceTest extends RunningServiceTest {

    protected static final String COLLEGE = "agency-college";
    protected static final String COUNCIL = "agency-council";
    protected static final Duration EVENT_DEADLINE = Duration.ofSeconds(20);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry, "opportunity-catalogue");
    }

    protected static Map<String, Object> opportunityDetails() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("title", "ESOL Entry 2, Tuesday mornings");
        details.put("description", "English for speakers of other languages, with a creche on site.");
        details.put("kind", "FORMAL_LEARNING");
        details.put("level", "E2");
        details.put("capacity", 12);
        return details;
    }

    /** Drafts an opportunity as {@code agency}'s admin; returns its id. */
    protected String draft(String agency, Map<String, Object> details) {
        HttpApi.Response response = api().post("/api/opportunities", TestTokens.worker(agency), details);
        assertThat(response.status()).isEqualTo(201);
        return response.text("id");
    }

    protected String draft(String agency) {
        return draft(agency, opportunityDetails());
    }

    protected HttpApi.Response publish(String id, String agency) {
        return api().post("/api/opportunities/" + id + "/publish", TestTokens.worker(agency), "");
    }

    protected HttpApi.Response withdraw(String id, String agency) {
        return api().post("/api/opportunities/" + id + "/withdraw", TestTokens.worker(agency), "");
    }

    /** PUT {@code body} (an object serialised as JSON, or a JSON string), with an optional If-Match version. */
    protected HttpApi.Response put(String path, String token, Object body, Long ifMatch) {
        String json = body instanceof String text ? text : HttpApi.JSON.writeValueAsString(body);
        java.net.http.HttpRequest.Builder request = api().request(path, token)
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(json));
        if (ifMatch != null) {
            request.header("If-Match", "\"" + ifMatch + "\"");
        }
        return api().send(request);
    }

    /** Drafts and publishes an opportunity for {@code agency}; returns its id. */
    protected String published(String agency, Map<String, Object> details) {
        String id = draft(agency, details);
        assertThat(publish(id, agency).status()).isEqualTo(200);
        return id;
    }

    protected static String typeOf(ConsumerRecord<String, byte[]> record) {
        return cloudEvent(record).path("type").asString();
    }
}
