package org.pathways.learner;

import org.pathways.testing.HttpApi;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.pathways.testing.HandledEvents;
import org.pathways.testing.RunningServiceTest;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.StoreFaults;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one Spring context of this module's service tests (every subclass shares it): the real service on a random
 * port, with the shared Kafka broker and MongoDB-wire store (and {@link StoreFaults}, with which a test refuses the
 * writes of the audit entries or link requests about the learners it names, and no others).
 */
@org.springframework.context.annotation.Import({StoreFaults.class, org.pathways.testing.StoreCommands.class})
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=" + LearnerProfileServiceApplication.NAME)
public abstract class LearnerProfileServiceTest extends RunningServiceTest {

    protected static final String COLLEGE = "agency-college";
    protected static final String COUNCIL = "agency-council";
    protected static final String HOUSING = "agency-housing";
    protected static final Duration EVENT_DEADLINE = Duration.ofSeconds(20);

    @Autowired
    protected MongoTemplate mongo;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry, "learner-profiles");
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
        // Most tests register the same person again and again; duplicate detection has tests of its own.
        details.put("confirmNotDuplicate", true);
        return details;
    }

    /** Someone else entirely: a name, date of birth and contact details no other test uses. */
    protected static Map<String, Object> uniquePerson(String givenName, String familyName, String dateOfBirth) {
        String tag = java.util.UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("givenName", givenName);
        details.put("familyName", familyName);
        details.put("dateOfBirth", dateOfBirth);
        details.put("email", "p-" + tag + "@example.org");
        details.put("localityCode", "LS6");
        details.put("preferredLanguage", "en");
        return details;
    }

    /** A date of birth no other test run uses, so duplicate detection sees only this test's people. */
    protected static String uniqueBirthDate() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        return java.time.LocalDate.of(1930, 1, 1).plusDays(random.nextInt(0, 365 * 70)).toString();
    }

    protected HttpApi.Response send(String method, String path, String token, Object body, String... headers) {
        String json = body instanceof String raw ? raw : HttpApi.JSON.writeValueAsString(body);
        java.net.http.HttpRequest.Builder request = api().request(path, token)
                .header("Content-Type", "application/json")
                .method(method, java.net.http.HttpRequest.BodyPublishers.ofString(json));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return api().send(request);
    }

    protected HttpApi.Response get(String path, String token, String... headers) {
        java.net.http.HttpRequest.Builder request = api().request(path, token).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return api().send(request);
    }

    /** The {@code ETag} of a {@code GET} of {@code path}. */
    protected String etag(String path, String token) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(api().request(path, token).GET().build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                    .headers().firstValue("ETag").orElseThrow();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Records a consent of the learner (registered by {@code registering}) to {@code agency}; returns its id. */
    protected String consentTo(String learnerId, String registering, String agency, String purpose) {
        HttpApi.Response consent = api().post("/api/learners/" + learnerId + "/consents",
                TestTokens.worker(registering), Map.of("agencyId", agency, "purpose", purpose, "method", "WRITTEN"));
        assertThat(consent.status()).isEqualTo(201);
        return consent.text("id");
    }

    /** Registers a learner as a worker of {@code agency}; returns its id. */
    protected String registerLearner(String agency) {
        HttpApi.Response response = api().post("/api/learners", TestTokens.worker(agency), learnerDetails());
        assertThat(response.status()).isEqualTo(201);
        return response.text("id");
    }

    /** Waits until the inbox handler {@code handler} has finished the event {@code eventId} (no fixed sleep). */
    protected void awaitHandled(String handler, String eventId) {
        HandledEvents.awaitHandled(mongo, handler, eventId, EVENT_DEADLINE);
    }
}
