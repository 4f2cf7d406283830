package org.pathways.catalogue.agency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.catalogue.RunningService;
import org.pathways.platform.security.Role;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;

class AgencyApiTest extends RunningService {

    static Map<String, Object> agency(String name) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("name", name);
        details.put("sector", "PUBLIC");
        details.put("kind", "COLLEGE");
        details.put("localities", List.of("Harehills", "Chapeltown"));
        details.put("contacts", List.of(Map.of("name", "Referrals team", "role", "Admissions",
                "email", "referrals@college.example", "phone", "+44 113 000 0000")));
        details.put("acceptsDirectReferrals", true);
        details.put("website", "https://college.example");
        return details;
    }

    @Test
    void anAgencyAdminRegistersAndMaintainsItsOwnAgency() {
        String agencyId = "agency-" + UUID.randomUUID();
        String admin = TestTokens.worker(agencyId);

        HttpApi.Response created = api().post("/api/agencies", admin, agency("Park Lane College"));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.text("id")).isEqualTo(agencyId);
        assertThat(created.location()).contains("/api/agencies/" + agencyId);
        assertThat(created.body().path("localities").size()).isEqualTo(2);
        HttpApi.Response seen = api().get("/api/agencies/" + agencyId, TestTokens.worker(COUNCIL));
        assertThat(seen.text("name")).isEqualTo("Park Lane College");
        assertThat(seen.body().path("acceptsDirectReferrals").asBoolean()).isTrue();

        Map<String, Object> changed = agency("Park Lane College (Leeds)");
        changed.put("acceptsDirectReferrals", false);
        changed.put("version", created.body().path("version").asLong());
        HttpApi.Response revised = put("/api/agencies/" + agencyId, admin, changed, null);
        assertThat(revised.status()).isEqualTo(200);
        assertThat(revised.body().path("acceptsDirectReferrals").asBoolean()).isFalse();
        assertThat(revised.body().path("version").asLong()).isEqualTo(created.body().path("version").asLong() + 1);

        HttpApi.Response stale = put("/api/agencies/" + agencyId, admin, changed, null);
        assertThat(stale.isProblem(409, "stale-version")).isTrue();
        assertThat(api().post("/api/agencies", admin, agency("Again")).isProblem(409, "already-registered"))
                .isTrue();
        assertThat(api().get("/api/agencies?locality=Harehills&kind=COLLEGE", TestTokens.worker(COUNCIL)).body()
                .valueStream().map(a -> a.path("id").asString())).contains(agencyId);
    }

    @Test
    void nobodyManagesAnotherAgencysRecordAndWorkersManageNone() {
        String agencyId = "agency-" + UUID.randomUUID();
        HttpApi.Response created = api().post("/api/agencies", TestTokens.worker(agencyId), agency("Library"));
        Map<String, Object> hijack = agency("Hijacked");
        hijack.put("version", created.body().path("version").asLong());

        assertThat(put("/api/agencies/" + agencyId, TestTokens.worker(COUNCIL), hijack, null)
                .isProblem(403, "forbidden")).isTrue();
        assertThat(api().post("/api/agencies", TestTokens.token("w", "agency-" + UUID.randomUUID(), Role.WORKER),
                agency("Mine")).isProblem(403, "forbidden")).isTrue();
        assertThat(api().get("/api/agencies/" + agencyId, TestTokens.worker(COUNCIL)).text("name"))
                .isEqualTo("Library");
        assertThat(api().get("/api/agencies/agency-nobody", TestTokens.worker(COUNCIL)).isProblem(404, "not-found"))
                .isTrue();
        assertThat(api().get("/api/agencies", null).status()).isEqualTo(401);
    }

    @Test
    void hostileAgencyDetailsAreBadRequests() {
        String admin = TestTokens.worker("agency-" + UUID.randomUUID());
        for (Map.Entry<String, Object> bad : List.<Map.Entry<String, Object>>of(
                Map.entry("name", Map.of("$gt", "")), Map.entry("sector", "GOVERNMENT"), Map.entry("kind", 3),
                Map.entry("localities", List.of(Map.of("$ne", 1))), Map.entry("acceptsDirectReferrals", "yes"),
                Map.entry("contacts", List.of(Map.of("name", "x", "email", "not-an-email"))),
                Map.entry("name", "x".repeat(5000)), Map.entry("id", "agency-other"),
                Map.entry("website", "javascript:alert(1)"))) {
            Map<String, Object> details = agency("Hostile");
            details.put(bad.getKey(), bad.getValue());
            HttpApi.Response response = api().post("/api/agencies", admin, details);
            assertThat(response.status()).as(bad.toString()).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
    }
}
