package org.pathways.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.pathways.testing.HttpApi;
import tools.jackson.databind.JsonNode;

/** The shared platform's public API, through its gateway, as an agency's worker or system calls it. */
final class GatewayApi {

    private static HttpApi api;

    private GatewayApi() {
    }

    /** Where the gateway listens (the platform starts on first use). */
    static String url() {
        return "http://localhost:" + RunningPlatform.get().gatewayPort;
    }

    static synchronized HttpApi api() {
        if (api == null) {
            api = new HttpApi(RunningPlatform.get().gatewayPort);
        }
        return api;
    }

    /** The body of an answer that succeeded (200 or 201); failing, says what came back instead. */
    static JsonNode created(HttpApi.Response response) {
        assertThat(response.status()).as(response.body().toString()).isIn(200, 201);
        return response.body();
    }
}
