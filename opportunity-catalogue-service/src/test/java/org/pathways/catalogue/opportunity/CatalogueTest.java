package org.pathways.catalogue.opportunity;

import org.pathways.testing.HttpApi;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.events.Topic;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.security.Role;
import org.pathways.testing.TestTokens;
import org.pathways.testing.TopicRecorder;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class CatalogueTest extends OpportunityCatalogueServiceTest {

    private static TopicRecorder opportunityTopic;

    @Autowired
    Outbox outbox;

    @Autowired
    org.springframework.context.ApplicationEventPublisher changes;

    @BeforeAll
    static void listen() {
        opportunityTopic = new TopicRecorder(Topic.OPPORTUNITIES.topicName());
    }

    @AfterAll
    static void stopListening() {
        opportunityTopic.close();
    }

    private static boolean about(ConsumerRecord<String, byte[]> record, String id) {
        return id.equals(record.key());
    }

    @Test
    void aNewOpportunityIsADraftAndAnnouncesNothing() {
        HttpApi.Response response = api().post("/api/opportunities", TestTokens.worker(COLLEGE),
                opportunityDetails());

        assertThat(response.status()).isEqualTo(201);
        String id = response.text("id");
        assertThat(id).matches("opp-[0-9a-f-]{36}");
        assertThat(response.location()).contains("/api/opportunities/" + id);
        assertThat(response.text("status")).isEqualTo("DRAFT");
        assertThat(response.text("providerAgencyId")).isEqualTo(COLLEGE);
        assertThat(response.body().path("placesTaken").asInt()).isZero();
        assertThat(response.body().path("placesLeft").asInt()).isEqualTo(12);
        // The marker: publishing it announces, after anything the draft announced (one aggregate's events, in order).
        assertThat(publish(id, COLLEGE).status()).isEqualTo(200);
        opportunityTopic.await(r -> isOfType(r, id, EventType.OPPORTUNITY_PUBLISHED.type()), 1, EVENT_DEADLINE);
        assertThat(opportunityTopic.recorded(r -> about(r, id))).as("the draft announced nothing")
                .extracting(OpportunityCatalogueServiceTest::typeOf).containsExactly(EventType.OPPORTUNITY_PUBLISHED.type());
    }

    /** A provider's form sent twice (a double click, a retry after a timeout, two at once) makes one draft. */
    @Test
    void theSameDraftSentAgainWithItsKeyMakesOneOpportunity() throws Exception {
        String key = "draft-" + java.util.UUID.randomUUID();
        Map<String, Object> details = new java.util.HashMap<>(opportunityDetails());
        details.put("title", "Barista skills " + key);
        java.util.concurrent.Callable<HttpApi.Response> send = () -> api().send(api()
                .request("/api/opportunities", TestTokens.worker(COLLEGE))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(HttpApi.JSON.writeValueAsString(details))));
        List<HttpApi.Response> atOnce;
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            atOnce = pool.invokeAll(List.of(send, send)).stream().map(future -> {
                try {
                    return future.get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
        }
        String id = atOnce.get(0).text("id");
        assertThat(atOnce).extracting(HttpApi.Response::status).containsExactlyInAnyOrder(201, 200);
        assertThat(atOnce).extracting(response -> response.text("id")).containsOnly(id);

        assertThat(publish(id, COLLEGE).status()).isEqualTo(200);
        HttpApi.Response later = send.call();
        assertThat(later.status()).as("a retry after the draft was published answers it as it is now").isEqualTo(200);
        assertThat(later.text("id")).isEqualTo(id);
        assertThat(later.text("status")).isEqualTo("PUBLISHED");

        details.put("title", "Something else");
        assertThat(send.call().isProblem(422, "idempotency-key-reused")).isTrue();
        // Another agency's same key is its own.
        HttpApi.Response council = api().send(api().request("/api/opportunities", TestTokens.worker(COUNCIL))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(HttpApi.JSON.writeValueAsString(details))));
        assertThat(council.status()).isEqualTo(201);
        assertThat(council.text("id")).isNotEqualTo(id);
    }

    @Test
    void publishingAnnouncesOpportunityPublishedKeyedByTheOpportunityWithCodesOnly() {
        String id = draft(COLLEGE);

        HttpApi.Response published = publish(id, COLLEGE);

        assertThat(published.status()).isEqualTo(200);
        assertThat(published.text("status")).isEqualTo("PUBLISHED");
        assertThat(published.text("publishedAt")).isNotBlank();
        List<ConsumerRecord<String, byte[]>> records = opportunityTopic.await(
                r -> isOfType(r, id, EventType.OPPORTUNITY_PUBLISHED.type()), 1, EVENT_DEADLINE);
        assertThat(records).hasSize(1);
        ConsumerRecord<String, byte[]> record = records.getFirst();
        assertThat(record.key()).isEqualTo(id);
        JsonNode event = cloudEvent(record);
        assertThat(event.path("subject").asString()).isEqualTo(id);
        assertThat(event.path("source").asString()).isEqualTo("/pathways/opportunity-catalogue-service");
        JsonNode data = event.path("data");
        assertThat(data.path("opportunityId").asString()).isEqualTo(id);
        assertThat(data.path("providerAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(data.path("kind").asString()).isEqualTo("FORMAL_LEARNING");
        assertThat(data.path("level").asString()).isEqualTo("E2");
        assertThat(data.path("capacity").asInt()).isEqualTo(12);
        assertThat(data.path("placesTaken").asInt()).isZero();
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).doesNotContain("ESOL", "creche");
    }

    @Test
    void publishingTwiceIsAConflictNamingTheCurrentStatus() {
        String id = draft(COLLEGE);
        assertThat(publish(id, COLLEGE).status()).isEqualTo(200);

        HttpApi.Response again = publish(id, COLLEGE);

        assertThat(again.isProblem(409, "illegal-transition")).isTrue();
        assertThat(again.text("currentStatus")).isEqualTo("PUBLISHED");
        assertThat(again.body().path("status").asInt()).isEqualTo(409);
        // The marker: withdrawing it announces, after anything the refused publishing announced.
        assertThat(withdraw(id, COLLEGE).status()).isEqualTo(200);
        opportunityTopic.await(r -> isOfType(r, id, EventType.OPPORTUNITY_WITHDRAWN.type()), 1, EVENT_DEADLINE);
        assertThat(opportunityTopic.recorded(r -> about(r, id))).as("the refused publishing announced nothing")
                .extracting(OpportunityCatalogueServiceTest::typeOf)
                .containsExactly(EventType.OPPORTUNITY_PUBLISHED.type(), EventType.OPPORTUNITY_WITHDRAWN.type());
    }

    @Test
    void withdrawingAnnouncesOpportunityWithdrawnAndItStaysVisible() {
        String id = draft(COLLEGE);
        publish(id, COLLEGE);

        HttpApi.Response withdrawn = withdraw(id, COLLEGE);

        assertThat(withdrawn.status()).isEqualTo(200);
        assertThat(withdrawn.text("status")).isEqualTo("WITHDRAWN");
        List<ConsumerRecord<String, byte[]>> records = opportunityTopic.await(
                r -> isOfType(r, id, EventType.OPPORTUNITY_WITHDRAWN.type()), 1, EVENT_DEADLINE);
        assertThat(records).hasSize(1);
        assertThat(cloudEvent(records.getFirst()).path("data").path("providerAgencyId").asString())
                .isEqualTo(COLLEGE);
        assertThat(api().get("/api/opportunities/" + id, TestTokens.worker(COUNCIL)).text("status"))
                .isEqualTo("WITHDRAWN");
        List<String> order = opportunityTopic.await(r -> about(r, id), 2, EVENT_DEADLINE).stream()
                .map(r -> cloudEvent(r).path("type").asString()).toList();
        assertThat(order).containsExactly(EventType.OPPORTUNITY_PUBLISHED.type(),
                EventType.OPPORTUNITY_WITHDRAWN.type());
    }

    @Test
    void illegalTransitionsAreConflicts() {
        String draftId = draft(COLLEGE);
        HttpApi.Response withdrawDraft = withdraw(draftId, COLLEGE);
        assertThat(withdrawDraft.isProblem(409, "illegal-transition")).isTrue();
        assertThat(withdrawDraft.text("currentStatus")).isEqualTo("DRAFT");

        publish(draftId, COLLEGE);
        withdraw(draftId, COLLEGE);
        HttpApi.Response republish = publish(draftId, COLLEGE);
        HttpApi.Response rewithdraw = withdraw(draftId, COLLEGE);
        assertThat(republish.isProblem(409, "illegal-transition")).isTrue();
        assertThat(republish.text("currentStatus")).isEqualTo("WITHDRAWN");
        assertThat(rewithdraw.isProblem(409, "illegal-transition")).isTrue();
    }

    @Test
    void aDraftIsHiddenFromOtherAgenciesAndTheyCannotActOnIt() {
        String id = draft(COLLEGE);

        assertThat(api().get("/api/opportunities/" + id, TestTokens.worker(COLLEGE)).status()).isEqualTo(200);
        assertThat(api().get("/api/opportunities/" + id, TestTokens.worker(COUNCIL)).isProblem(404, "not-found"))
                .isTrue();
        assertThat(publish(id, COUNCIL).isProblem(404, "not-found")).isTrue();
        assertThat(withdraw(id, COUNCIL).isProblem(404, "not-found")).isTrue();
        assertThat(api().get("/api/opportunities/opp-unknown", TestTokens.worker(COLLEGE)).status())
                .isEqualTo(404);
        assertThat(api().get("/api/opportunities/" + id, TestTokens.worker(COLLEGE)).text("status"))
                .isEqualTo("DRAFT");
    }

    @Test
    void anotherAgencySeesAPublishedOpportunityButIsForbiddenToManageIt() {
        String id = draft(COLLEGE);
        publish(id, COLLEGE);

        HttpApi.Response seen = api().get("/api/opportunities/" + id,
                TestTokens.token("reader", COUNCIL, Role.COORDINATOR));
        assertThat(seen.status()).isEqualTo(200);
        assertThat(seen.text("title")).isEqualTo("ESOL Entry 2, Tuesday mornings");
        assertThat(publish(id, COUNCIL).isProblem(403, "forbidden")).isTrue();
        assertThat(withdraw(id, COUNCIL).isProblem(403, "forbidden")).isTrue();
        assertThat(api().get("/api/opportunities/" + id, TestTokens.worker(COLLEGE)).text("status"))
                .isEqualTo("PUBLISHED");
        // The marker: its provider withdraws it, which announces after anything the refused attempts announced.
        assertThat(withdraw(id, COLLEGE).status()).isEqualTo(200);
        opportunityTopic.await(r -> isOfType(r, id, EventType.OPPORTUNITY_WITHDRAWN.type()), 1, EVENT_DEADLINE);
        assertThat(opportunityTopic.recorded(r -> about(r, id))).as("the refused attempts announced nothing")
                .extracting(OpportunityCatalogueServiceTest::typeOf)
                .containsExactly(EventType.OPPORTUNITY_PUBLISHED.type(), EventType.OPPORTUNITY_WITHDRAWN.type());
    }

    @Test
    void onlyAnAgencysAdministratorsOrSystemsManageItsOpportunities() {
        HttpApi.Response worker = api().post("/api/opportunities", TestTokens.token("worker-1", COLLEGE, Role.WORKER),
                opportunityDetails());
        assertThat(worker.isProblem(403, "forbidden")).isTrue();

        String system = TestTokens.token("college-mis", COLLEGE, Role.AGENCY_SYSTEM);
        HttpApi.Response drafted = api().post("/api/opportunities", system, opportunityDetails());
        assertThat(drafted.status()).isEqualTo(201);
        String id = drafted.text("id");
        assertThat(api().post("/api/opportunities/" + id + "/publish",
                TestTokens.token("worker-1", COLLEGE, Role.WORKER), "").isProblem(403, "forbidden")).isTrue();
        assertThat(api().post("/api/opportunities/" + id + "/publish", system, "").status()).isEqualTo(200);
    }

    @Test
    void everyEndpointRefusesAMissingForgedOrExpiredToken() {
        String id = draft(COLLEGE);
        for (String token : new String[] {null, TestTokens.forged(COLLEGE), TestTokens.expired(COLLEGE)}) {
            assertThat(api().get("/api/opportunities/" + id, token).isProblem(401, "unauthenticated")).isTrue();
            assertThat(api().get("/api/opportunities", token).status()).isEqualTo(401);
            assertThat(api().post("/api/opportunities", token, opportunityDetails()).status()).isEqualTo(401);
            assertThat(api().post("/api/opportunities/" + id + "/publish", token, "").status()).isEqualTo(401);
            assertThat(api().post("/api/opportunities/" + id + "/withdraw", token, "").status()).isEqualTo(401);
        }
        assertThat(api().get("/api/opportunities/" + id, TestTokens.worker(COLLEGE)).text("status"))
                .isEqualTo("DRAFT");
    }

    @Test
    void theSearchFindsPublishedOpportunitiesOnlyNewestFirstAndFiltersByKindAndLevel() {
        Map<String, Object> volunteering = opportunityDetails();
        volunteering.put("kind", "VOLUNTEERING");
        volunteering.put("level", "L3");
        String draftOnly = draft(COLLEGE, volunteering);
        String older = draft(COUNCIL, volunteering);
        String newer = draft(COLLEGE, volunteering);
        publish(older, COUNCIL);
        publish(newer, COLLEGE);
        volunteering.put("level", "L2");
        String otherLevel = draft(COLLEGE, volunteering);
        publish(otherLevel, COLLEGE);

        JsonNode found = api().get("/api/opportunities?kind=VOLUNTEERING&level=L3", TestTokens.worker(COUNCIL))
                .body();

        List<String> ids = found.path("items").valueStream().map(item -> item.path("id").asString()).toList();
        assertThat(ids).contains(newer, older).doesNotContain(draftOnly, otherLevel);
        assertThat(ids.indexOf(newer)).isLessThan(ids.indexOf(older));
        assertThat(found.path("items").valueStream()).allSatisfy(item -> {
            assertThat(item.path("status").asString()).isEqualTo("PUBLISHED");
            assertThat(item.path("kind").asString()).isEqualTo("VOLUNTEERING");
            assertThat(item.path("level").asString()).isEqualTo("L3");
        });
        List<String> byKind = api().get("/api/opportunities?kind=VOLUNTEERING", TestTokens.worker(COUNCIL)).body()
                .path("items").valueStream().map(item -> item.path("id").asString()).toList();
        assertThat(byKind).contains(newer, older, otherLevel).doesNotContain(draftOnly);
        HttpApi.Response emptyFilters = api().get("/api/opportunities?kind=&level=", TestTokens.worker(COUNCIL));
        assertThat(emptyFilters.status()).isEqualTo(200);
        assertThat(emptyFilters.body().path("items").valueStream()).allSatisfy(
                item -> assertThat(item.path("status").asString()).isIn("PUBLISHED", "FULL"));
    }

    @Test
    void theSearchAnswersAtMostOneHundredAndSaysWhenThereWereMore() {
        Instant now = Instant.now();
        for (int i = 0; i < OpportunityCatalogue.PAGE_SIZE + 1; i++) {
            Opportunity opportunity = Opportunity.draft(new DraftOpportunity("Childcare " + i, "",
                    OpportunityKind.CHILDCARE, null, null), COUNCIL, "admin-1", now);
            outbox.save(opportunity, opportunity.publish(now));
            // Saved straight through the outbox: told to this instance's search index as the catalogue's own saves
            // are (otherwise it learns of them from the opportunity topic, moments later).
            changes.publishEvent(new OpportunityChanged(opportunity.id()));
        }

        JsonNode all = api().get("/api/opportunities?kind=CHILDCARE", TestTokens.worker(COLLEGE)).body();

        assertThat(all.path("items")).hasSize(OpportunityCatalogue.PAGE_SIZE);
        assertThat(all.path("truncated").asBoolean()).isTrue();
        assertThat(all.path("total").asLong()).isGreaterThan(OpportunityCatalogue.PAGE_SIZE);
        JsonNode few = api().get("/api/opportunities?kind=ADVICE&level=L8", TestTokens.worker(COLLEGE)).body();
        assertThat(few.path("truncated").asBoolean()).isFalse();
    }
}
