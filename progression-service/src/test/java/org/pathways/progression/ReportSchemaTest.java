package org.pathways.progression;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.pathways.testing.HttpApi;
import tools.jackson.databind.JsonNode;

/** The OpenAPI document tells a dashboard or an agency's system what a count looks like: a number or "<5". */
class ReportSchemaTest extends ProgressionServiceTest {

    /** The only whole numbers in the responses that are not counts (durations, and the SSE emitter's timeout). */
    private static final Set<String> NOT_COUNTS = Set.of("DurationSummary.medianSeconds",
            "DurationSummary.p90Seconds", "SseEmitter.timeout",
            // Time to deliver a webhook (withheld under five deliveries; its count is a reported count).
            "TimeToDeliver.medianMs", "TimeToDeliver.p90Ms",
            // A rebuild's progress (platform admins only): events, not people.
            "Status.generation", "Status.eventsReplayed", "Status.eventsToReplay",
            // A problem detail's HTTP status code (RFC 9457), now in the OpenAPI documents.
            "Problem.status",
            // The service's dead letters (platform admins only): records on a topic and their paging, not people.
            "DeadLetterPage.page", "DeadLetterPage.size", "DeadLetterPage.total", "DeadLetterOrigin.partition",
            "DeadLetterOrigin.offset");

    @Test
    void everyCountInTheResponsesIsANumberOrLessThanFive() {
        HttpApi.Response response = api().get("/v3/api-docs", null);
        assertThat(response.status()).isEqualTo(200);
        JsonNode schemas = response.body().at("/components/schemas");

        for (Map.Entry<String, String> count : List.of(Map.entry("FunnelBucket", "submitted"),
                Map.entry("FunnelBucket", "onHold"), Map.entry("DurationSummary", "count"),
                Map.entry("AgencyResponseTimes", "overdueAcknowledge"), Map.entry("MilestoneCount", "count"),
                Map.entry("MilestonesReport", "total"), Map.entry("Flow", "submitted"),
                Map.entry("DailyCount", "count"), Map.entry("TimeToDeliver", "count"))) {
            assertIsACount(count.toString(), schemas.path(count.getKey()).path("properties").path(count.getValue()));
        }
        assertIsACount("rejectedByReason",
                schemas.at("/FunnelBucket/properties/rejectedByReason/additionalProperties"));

        // And no other whole number slipped through unwrapped.
        List<String> plainNumbers = new ArrayList<>();
        schemas.properties().forEach(schema -> schema.getValue().path("properties").properties().forEach(property -> {
            if ("integer".equals(property.getValue().path("type").asString(""))) {
                plainNumbers.add(schema.getKey() + "." + property.getKey());
            }
        }));
        assertThat(plainNumbers).isSubsetOf(NOT_COUNTS);
    }

    private static void assertIsACount(String what, JsonNode property) {
        List<String> alternatives = new ArrayList<>();
        property.path("oneOf").forEach(alternative -> alternatives.add(alternative.path("type").asString()
                + alternative.path("enum")));
        assertThat(alternatives).as(what).containsExactlyInAnyOrder("integer", "string[\"<5\"]");
    }
}
