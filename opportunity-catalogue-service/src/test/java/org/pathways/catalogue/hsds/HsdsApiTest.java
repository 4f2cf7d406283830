package org.pathways.catalogue.hsds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.catalogue.agency.Agency;
import org.pathways.platform.security.Role;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/**
 * The Open Referral HSDS 3.0 API as an outside HSDS client uses it: what it publishes (and what it must not), the
 * standard's endpoints, and the parameters it honours.
 */
class HsdsApiTest extends OpportunityCatalogueServiceTest {

    private static final String PLATFORM_ADMIN = TestTokens.token("platform-admin", "agency-platform",
            Role.PLATFORM_ADMIN);

    /** An HSDS client of the partnership: any authenticated caller. */
    private static final String CLIENT = TestTokens.worker(COUNCIL);

    /** Every page of an HSDS list endpoint, as a client reads it: all items, and the total the first page gave. */
    private record Listing(List<JsonNode> items, long total, String text) {
        boolean has(String id) {
            return items.stream().anyMatch(item -> item.path("id").asString().equals(id));
        }
    }

    private Listing all(String path) {
        List<JsonNode> items = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        String separator = path.contains("?") ? "&" : "?";
        JsonNode first = null;
        for (int page = 1; ; page++) {
            HttpApi.Response response = api().get(path + separator + "per_page=500&page=" + page, CLIENT);
            assertThat(response.status()).as(path).isEqualTo(200);
            JsonNode body = response.body();
            first = first == null ? body : first;
            text.append(body);
            body.path("contents").forEach(items::add);
            if (body.path("last_page").asBoolean()) {
                return new Listing(items, first.path("total_items").asLong(), text.toString());
            }
        }
    }

    /** A newly registered agency, pending a platform administrator's approval, with a person to contact. */
    private HttpApi.Response registerPendingAgency(String agencyId) {
        Map<String, Object> agency = new LinkedHashMap<>();
        agency.put("name", "Unapproved Learning Centre");
        agency.put("sector", "VOLUNTARY");
        agency.put("kind", "COMMUNITY_GROUP");
        agency.put("localities", List.of("Beeston"));
        agency.put("contacts", List.of(Map.of("name", "Priya Pendingham", "email",
                "priya.pendingham@unapproved.example.org", "phone", "0113 496 0777")));
        agency.put("acceptsDirectReferrals", true);
        HttpApi.Response registered = api().post("/api/agencies", TestTokens.worker(agencyId), agency);
        assertThat(registered.text("status")).isEqualTo("PENDING");
        return registered;
    }

    private static Map<String, Object> withContact(String name, String email, String phone) {
        Map<String, Object> details = opportunityDetails();
        details.put("contacts", List.of(Map.of("name", name, "role", "Tutor", "email", email, "phone", phone)));
        return details;
    }

    private static String serviceIdOf(String opportunityId) {
        return opportunityId.substring("opp-".length());
    }

    @Test
    void aPendingAgencysServicesAndPeopleAreNotPublishedUntilAPlatformAdministratorApprovesIt() {
        String agencyId = "agency-" + UUID.randomUUID();
        HttpApi.Response registered = registerPendingAgency(agencyId);
        String opportunity = published(agencyId, withContact("Tomasz Unapproved",
                "tomasz.unapproved@unapproved.example.org", "0113 496 0778"));
        String service = serviceIdOf(opportunity);
        String organization = Agency.hsdsIdOf(agencyId);

        Listing services = all("/api/hsds/services");
        Listing organizations = all("/api/hsds/organizations");

        assertThat(services.has(service)).as("a pending agency's service").isFalse();
        assertThat(organizations.has(organization)).as("a pending agency's organization").isFalse();
        for (String personal : List.of("Tomasz Unapproved", "tomasz.unapproved@", "0113 496 0778",
                "Priya Pendingham", "priya.pendingham@", "0113 496 0777")) {
            assertThat(services.text()).as("services: " + personal).doesNotContain(personal);
            assertThat(organizations.text()).as("organizations: " + personal).doesNotContain(personal);
        }
        assertThat(services.items()).as("the totals count what the pages hold").hasSize((int) services.total());
        assertThat(organizations.items()).hasSize((int) organizations.total());

        // Approved by a platform administrator, the agency is a partner: published, with its people.
        assertThat(put("/api/agencies/" + agencyId + "/kind", PLATFORM_ADMIN, Map.of("kind", "COMMUNITY_GROUP",
                "sector", "VOLUNTARY", "version", registered.body().path("version").asLong()), null).status())
                .isEqualTo(200);

        Listing approvedServices = all("/api/hsds/services");
        Listing approvedOrganizations = all("/api/hsds/organizations");
        JsonNode exported = approvedServices.items().stream()
                .filter(item -> item.path("id").asString().equals(service)).findFirst().orElseThrow();
        assertThat(exported.path("organization_id").asString()).isEqualTo(organization);
        assertThat(exported.path("contacts").path(0).path("name").asString()).isEqualTo("Tomasz Unapproved");
        assertThat(approvedOrganizations.items().stream()
                .filter(item -> item.path("id").asString().equals(organization))
                .map(item -> item.path("contacts").path(0).path("name").asString()))
                .containsExactly("Priya Pendingham");
    }
}
