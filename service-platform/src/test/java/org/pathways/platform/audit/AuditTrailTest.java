package org.pathways.platform.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.DevTokenIssuer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** Every write and every read of personal data leaves a record: who, agency, when, what, outcome, correlation id. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pathways.security.jwt-secret=" + AuditTrailTest.SECRET, "pathways.security.jwt-issuer=audit-test",
        "spring.application.name=audit-test-service"})
class AuditTrailTest {

    static final String SECRET = "YXVkaXQtdGVzdC1zZWNyZXQtb2YtYXQtbGVhc3QtdGhpcnR5LXR3by1ieXRlcyE";
    private static final MongoServer MONGO = new MongoServer(new MemoryBackend());
    private static final InetSocketAddress ADDRESS = MONGO.bind();

    @SpringBootApplication
    @RestController
    static class AuditedApplication {
        @Bean
        MongoTemplate mongoTemplate() {
            return new MongoTemplate(MongoClients.create("mongodb://localhost:" + ADDRESS.getPort()), "audit-test");
        }

        @PostMapping("/cases/{caseId}/notes")
        String addNote(Caller caller, @PathVariable String caseId) {
            return "note-1";
        }

        @DeleteMapping("/cases/{caseId}")
        void close(Caller caller, @PathVariable String caseId) {
            throw ProblemException.conflict("case-closed", "The case is closed already.", java.util.Map.of());
        }

        @PersonalDataRead("case summary")
        @GetMapping("/cases/{caseId}")
        String read(Caller caller, @PathVariable String caseId) {
            return "{\"name\":\"Amina\"}";
        }

        @GetMapping("/cases")
        String list(Caller caller) {
            return "[]";
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    MongoTemplate mongo;

    private final DevTokenIssuer tokens = new DevTokenIssuer(SECRET, "audit-test");

    @AfterAll
    static void stopMongo() {
        MONGO.shutdownNow();
    }

    @BeforeEach
    void emptyTrail() {
        mongo.dropCollection(AuditRecord.COLLECTION);
    }

    private HttpResponse<String> send(String method, String path, String token, String correlationId)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (correlationId != null) {
            request.header("X-Correlation-Id", correlationId);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<AuditRecord> trail() {
        return mongo.findAll(AuditRecord.class, AuditRecord.COLLECTION);
    }

    private AuditRecord only(String correlationId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> mongo.exists(
                Query.query(Criteria.where("correlationId").is(correlationId)), AuditRecord.COLLECTION));
        return mongo.findOne(Query.query(Criteria.where("correlationId").is(correlationId)), AuditRecord.class,
                AuditRecord.COLLECTION);
    }

    @Test
    void aWriteIsRecordedWithWhoTheirAgencyWhenTheRouteTheIdsTheOutcomeAndTheCorrelationId() throws Exception {
        String worker = tokens.issue("worker-7", "agency-council", Set.of("WORKER"), Duration.ofMinutes(5));
        assertThat(send("POST", "/cases/case-42/notes", worker, "corr-write-1").statusCode()).isEqualTo(200);

        AuditRecord record = only("corr-write-1");
        assertThat(record.kind()).isEqualTo(AuditRecord.Kind.WRITE);
        assertThat(record.userId()).isEqualTo("worker-7");
        assertThat(record.agencyId()).isEqualTo("agency-council");
        assertThat(record.roles()).containsExactly("WORKER");
        assertThat(record.service()).isEqualTo("audit-test-service");
        assertThat(record.method()).isEqualTo("POST");
        assertThat(record.route()).isEqualTo("/cases/{caseId}/notes");
        assertThat(record.ids()).containsEntry("caseId", "case-42");
        assertThat(record.status()).isEqualTo(200);
        assertThat(record.at()).isNotNull();
    }

    @Test
    void aRefusedWriteIsRecordedWithItsStatus() throws Exception {
        String worker = tokens.issue("worker-7", "agency-council", Set.of("WORKER"), Duration.ofMinutes(5));
        assertThat(send("DELETE", "/cases/case-42", worker, "corr-refused").statusCode()).isEqualTo(409);

        assertThat(only("corr-refused").status()).isEqualTo(409);
    }

    @Test
    void aReadOfPersonalDataIsRecordedWithItsPurposeButOtherReadsAreNot() throws Exception {
        String worker = tokens.issue("worker-8", "agency-college", Set.of("WORKER"), Duration.ofMinutes(5));
        assertThat(send("GET", "/cases", worker, "corr-list").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/cases/case-9", worker, "corr-read").statusCode()).isEqualTo(200);

        AuditRecord read = only("corr-read");
        assertThat(read.kind()).isEqualTo(AuditRecord.Kind.PERSONAL_DATA_READ);
        assertThat(read.purpose()).isEqualTo("case summary");
        assertThat(read.agencyId()).isEqualTo("agency-college");
        // The list holds no personal data: it is not recorded (the read above proves records are being written).
        assertThat(trail()).extracting(AuditRecord::correlationId).doesNotContain("corr-list");
    }

    @Test
    void aCallWithoutAValidTokenNeverReachesTheHandlerAndLeavesNoRecord() throws Exception {
        String worker = tokens.issue("worker-9", "agency-college", Set.of("WORKER"), Duration.ofMinutes(5));
        assertThat(send("POST", "/cases/case-1/notes", null, "corr-anonymous").statusCode()).isEqualTo(401);
        assertThat(send("POST", "/cases/case-1/notes", worker, "corr-after").statusCode()).isEqualTo(200);

        only("corr-after");
        assertThat(trail()).extracting(AuditRecord::correlationId).doesNotContain("corr-anonymous");
    }

    @Test
    void aCorrelationIdThatIsNotAnIdIsNotStoredAsGiven() throws Exception {
        String worker = tokens.issue("worker-7", "agency-council", Set.of("WORKER"), Duration.ofMinutes(5));
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/cases/c-1/notes"))
                .header("Authorization", "Bearer " + worker)
                .header("X-Correlation-Id", "amina.okafor@example.org is here")
                .header("traceparent", traceparent)
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        assertThat(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);

        // Falls back to the W3C trace id, which joins the record to the trace.
        assertThat(only("4bf92f3577b34da6a3ce929d0e0e4736").ids()).containsEntry("caseId", "c-1");
    }
}
