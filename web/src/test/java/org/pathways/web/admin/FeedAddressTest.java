package org.pathways.web.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ui.ExtendedModelMap;

import org.pathways.web.api.StubApi;
import org.pathways.web.page.Bundles;

/** The feed's cursor, typed into the address by an agency admin, reaches the API as typed, and its refusal is said. */
class FeedAddressTest {

    private final StubApi api = new StubApi();

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    void aCursorThatIsNotANumberIsTheApisToRefuseNotAnErrorPage() {
        api.answering(request -> new StubApi.Answer(400, """
                {"type":"urn:pathways:problem:bad-request","status":400,"detail":"Failed to convert 'after'."}"""));
        ExtendedModelMap model = new ExtendedModelMap();

        assertThat(new AgencyAdminController(api.client(), Bundles.problems()).feed("{x}+1", model))
                .isEqualTo("admin/feed");

        assertThat(api.requests().getLast().query()).containsEntry("after", "{x}+1");
        assertThat(model.getAttribute("refused")).isNotNull();
        assertThat(model.getAttribute("after")).isEqualTo("{x}+1");
    }
}
