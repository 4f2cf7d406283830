package org.pathways.platform.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.observation.ClientRequestObservationContext;
import org.springframework.http.client.observation.DefaultClientRequestObservationConvention;
import org.springframework.mock.http.client.MockClientHttpRequest;
import org.springframework.mock.http.client.MockClientHttpResponse;

/**
 * An HTTP client call observed the way Spring observes a {@code RestClient}'s: what the handlers (the span, the
 * metric) are given names the address without the search's words, a token in the query or user-info.
 */
class AddressesWithoutQueriesTest {

    @Test
    void aSearchCallsSpanAndMetricTagsKeepTheAddressAndDropTheQuery() {
        Map<String, String> seen = observed("http://worker:secret@localhost:8081/api/learners?q=Zoe%20Quil&dob=2001-04-09#top",
                null);

        assertThat(seen).containsEntry("http.url", "http://localhost:8081/api/learners")
                .containsEntry("uri", "none");
        assertThat(seen.values()).noneMatch(value -> value.contains("Zoe") || value.contains("2001")
                || value.contains("secret"));
    }

    @Test
    void aTemplateWithItsQueryIsTaggedByItsPath() {
        Map<String, String> seen = observed("http://localhost:8084/hooks?token=abc123", "/hooks?token={token}");

        assertThat(seen).containsEntry("http.url", "http://localhost:8084/hooks").containsEntry("uri", "/hooks");
    }

    @Test
    void anAddressWithoutQueryIsLeftAsItIs() {
        assertThat(observed("http://localhost:8083/api/referrals/ref-1", "/api/referrals/{id}"))
                .containsEntry("http.url", "http://localhost:8083/api/referrals/ref-1")
                .containsEntry("uri", "/api/referrals/{id}");
        assertThat(AddressesWithoutQueries.withoutQuery("/api/learners?q=Zoe")).isEqualTo("/api/learners");
        assertThat(AddressesWithoutQueries.withoutQuery("not a uri?q=Zoe Quil")).isEqualTo("not a uri");
    }

    private static Map<String, String> observed(String address, String template) {
        Map<String, String> seen = new HashMap<>();
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationFilter(new AddressesWithoutQueries())
                .observationHandler(new ObservationHandler<>() {
                    @Override
                    public void onStop(Observation.Context context) {
                        for (KeyValue value : context.getAllKeyValues()) {
                            seen.put(value.getKey(), value.getValue());
                        }
                    }

                    @Override
                    public boolean supportsContext(Observation.Context context) {
                        return true;
                    }
                });
        ClientRequestObservationContext context =
                new ClientRequestObservationContext(new MockClientHttpRequest(HttpMethod.GET, URI.create(address)));
        context.setUriTemplate(template);
        context.setResponse(new MockClientHttpResponse(new byte[0], 200));
        Observation.createNotStarted(new DefaultClientRequestObservationConvention(), null, () -> context, registry)
                .start().stop();
        return seen;
    }
}
