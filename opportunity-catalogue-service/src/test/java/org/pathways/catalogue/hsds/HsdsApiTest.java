package org.pathways.catalogue.hsds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
        return registerPendingAgency(agencyId, "Priya Pendingham", "priya.pendingham@unapproved.example.org",
                "0113 496 0777");
    }

    private HttpApi.Response registerPendingAgency(String agencyId, String contact, String email, String phone) {
        Map<String, Object> agency = new LinkedHashMap<>();
        agency.put("name", "Unapproved Learning Centre");
        agency.put("sector", "VOLUNTARY");
        agency.put("kind", "COMMUNITY_GROUP");
        agency.put("localities", List.of("Beeston"));
        agency.put("contacts", List.of(Map.of("name", contact, "email", email, "phone", phone)));
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

    /** A newly registered agency approved by a platform administrator at once; answers its HSDS organization id. */
    private String approvedAgency(String agencyId) {
        long version = registerPendingAgency(agencyId, "Ann Approved", "ann.approved@centre.example.org",
                "0113 496 0200").body()
                .path("version").asLong();
        assertThat(put("/api/agencies/" + agencyId + "/kind", PLATFORM_ADMIN, Map.of("kind", "COMMUNITY_GROUP",
                "sector", "VOLUNTARY", "version", version), null).status()).isEqualTo(200);
        return Agency.hsdsIdOf(agencyId);
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

    @Test
    void theApiRootSaysWhichHsdsItServesAndWhereItIsDefined() {
        for (String root : List.of("/api/hsds", "/api/hsds/")) {
            HttpApi.Response response = api().get(root, CLIENT);
            assertThat(response.status()).as(root).isEqualTo(200);
            assertThat(response.text("version")).isEqualTo("3.0");
            assertThat(URI.create(response.text("profile")).isAbsolute()).as("profile: a URI").isTrue();
            assertThat(URI.create(response.text("openapi_url")).isAbsolute()).as("openapi_url: a URI").isTrue();
        }
        assertThat(api().get("/api/hsds", null).status()).isEqualTo(401);
    }

    @Test
    void oneServiceAndOneOrganizationAreServedWholeAsTheStandardsApiDescribesThem() {
        String agencyId = "agency-" + UUID.randomUUID();
        String organization = approvedAgency(agencyId);
        String opportunity = published(agencyId, withContact("Ada Tutor", "ada.tutor@centre.example.org",
                "0113 496 0100"));
        String withdrawn = published(agencyId, opportunityDetails());
        assertThat(withdraw(withdrawn, agencyId).status()).isEqualTo(200);
        String draft = draft(agencyId);

        HttpApi.Response service = api().get("/api/hsds/services/" + serviceIdOf(opportunity), CLIENT);
        assertThat(service.status()).isEqualTo(200);
        assertThat(service.text("id")).isEqualTo(serviceIdOf(opportunity));
        assertThat(service.text("organization_id")).isEqualTo(organization);
        assertThat(service.text("status")).isEqualTo("active");
        assertThat(service.body().path("contacts").path(0).path("email").asString())
                .as("fully nested: its contacts").isEqualTo("ada.tutor@centre.example.org");
        assertThat(service.body().path("attributes").size()).as("and its attributes").isPositive();
        assertThat(api().get("/api/hsds/services/" + serviceIdOf(withdrawn), CLIENT).text("status"))
                .as("a withdrawn service is still published, as inactive").isEqualTo("inactive");

        HttpApi.Response found = api().get("/api/hsds/organizations/" + organization, CLIENT);
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.text("name")).isEqualTo("Unapproved Learning Centre");
        assertThat(found.body().path("contacts").path(0).path("name").asString()).isEqualTo("Ann Approved");
        assertThat(found.body().path("services").valueStream().map(s -> s.path("id").asString() + " "
                + s.path("status").asString())).as("its services in brief, drafts left out")
                .containsExactlyInAnyOrder(serviceIdOf(opportunity) + " active", serviceIdOf(withdrawn) + " inactive");

        HsdsSchemas schemas = HsdsSchemas.load();
        if (schemas != null) {
            assertThat(HsdsSchemas.errors(schemas.service(), service.body())).as(service.body().toString()).isEmpty();
            assertThat(HsdsSchemas.errors(schemas.organization(), found.body())).as(found.body().toString())
                    .isEmpty();
        }

        // Unknown, not an id, a draft, a pending agency's: 404 problem details, alike.
        String pendingAgency = "agency-" + UUID.randomUUID();
        registerPendingAgency(pendingAgency);
        String pendingService = serviceIdOf(published(pendingAgency, opportunityDetails()));
        for (String path : List.of("/api/hsds/services/" + UUID.randomUUID(), "/api/hsds/services/not-an-id",
                "/api/hsds/services/" + serviceIdOf(draft), "/api/hsds/services/" + pendingService,
                "/api/hsds/organizations/" + UUID.randomUUID(), "/api/hsds/organizations/not-an-id",
                "/api/hsds/organizations/" + Agency.hsdsIdOf(pendingAgency))) {
            assertThat(api().get(path, CLIENT).isProblem(404, "not-found")).as(path).isTrue();
        }
        assertThat(api().get("/api/hsds/services/" + serviceIdOf(opportunity), null).status()).isEqualTo(401);
    }

    @Test
    void servicesAreFilteredByTheirOrganization() {
        String agencyId = "agency-" + UUID.randomUUID();
        String organization = approvedAgency(agencyId);
        List<String> own = List.of(serviceIdOf(published(agencyId, opportunityDetails())),
                serviceIdOf(published(agencyId, opportunityDetails())));
        draft(agencyId);
        String otherAgency = "agency-" + UUID.randomUUID();
        approvedAgency(otherAgency);
        String others = serviceIdOf(published(otherAgency, opportunityDetails()));

        Listing filtered = all("/api/hsds/services?organization_id=" + organization);

        assertThat(filtered.items()).extracting(item -> item.path("id").asString())
                .containsExactlyInAnyOrderElementsOf(own).doesNotContain(others);
        assertThat(filtered.total()).isEqualTo(2);
        assertThat(filtered.items()).allMatch(item -> item.path("organization_id").asString().equals(organization));
        JsonNode unknown = api().get("/api/hsds/services?organization_id=" + UUID.randomUUID(), CLIENT).body();
        assertThat(unknown.path("total_items").asLong()).as("an unknown organization has no services").isZero();
        assertThat(unknown.path("contents")).isEmpty();
        assertThat(api().get("/api/hsds/services?organization_id=x", CLIENT).isProblem(400, "validation")).isTrue();
    }

    @Test
    void aParameterTheApiDoesNotHonourIsRefusedByNameNeverIgnored() {
        for (String query : List.of("search=esol", "taxonomy_term_id=" + UUID.randomUUID(),
                "taxonomy_id=" + UUID.randomUUID(), "modified_after=2026-01-01T00:00:00Z", "minimal=true",
                "full=false", "format=ndjson", "postcode=LS7", "proximity=1000", "colour=blue")) {
            String name = query.substring(0, query.indexOf('='));
            HttpApi.Response response = api().get("/api/hsds/services?" + query, CLIENT);
            assertThat(response.isProblem(400, "unsupported-parameter")).as(query + " " + response.body()).isTrue();
            assertThat(response.text("parameter")).isEqualTo(name);
            assertThat(response.text("detail")).contains("'" + name + "'");
        }
        for (String path : List.of("/api/hsds/organizations?search=college", "/api/hsds/organizations?full=true",
                "/api/hsds/organizations?organization_id=" + UUID.randomUUID(), "/api/hsds?search=x",
                "/api/hsds/services/" + UUID.randomUUID() + "?full=false",
                "/api/hsds/organizations/" + UUID.randomUUID() + "?full_service=true")) {
            assertThat(api().get(path, CLIENT).isProblem(400, "unsupported-parameter")).as(path).isTrue();
        }
        // What the standard's clients send for what is answered anyway is accepted.
        for (String path : List.of("/api/hsds/services?format=json&full=true&minimal=false&page=1&per_page=5",
                "/api/hsds/organizations?format=JSON&per_page=5", "/api/hsds?format=json")) {
            assertThat(api().get(path, CLIENT).status()).as(path).isEqualTo(200);
        }
        assertThat(api().get("/api/hsds/services?%3Cscript%3E=1", CLIENT).text("parameter"))
                .as("a name is repeated only as far as it is safe").isEqualTo("?script?");
    }

    @Test
    void theExportIsDocumentedWithTheParametersItHonoursAndNoTrailingSlashPath() {
        // The end-to-end isolation matrix calls every documented operation with the parameters listed, and the
        // OpenAPI lint refuses a path ending in a slash (the root's slash form is served, not documented).
        JsonNode paths = api().get("/v3/api-docs", null).body().path("paths");
        assertThat(paths.path("/api/hsds").path("get").isObject()).isTrue();
        assertThat(paths.has("/api/hsds/")).isFalse();
        assertThat(paths.path("/api/hsds/services").path("get").path("parameters").valueStream()
                .map(p -> p.path("name").asString())).containsExactlyInAnyOrder("page", "per_page", "organization_id");
        for (String path : List.of("/api/hsds/services/{id}", "/api/hsds/organizations/{id}")) {
            assertThat(paths.path(path).path("get").path("parameters").valueStream()
                    .map(p -> p.path("name").asString())).as(path).containsExactly("id");
        }
    }

    @Test
    void anImportByAnyoneButAPlatformAdministratorIsRefusedBeforeItsBodyIsRead() throws Exception {
        long declared = 150L * 1024 * 1024;                  // what a worker's token may try to send
        // the start of a valid feed, far from its end
        byte[] sent = ("[" + "{\"id\":\"x\"},".repeat(64 * 1024 / 11)).getBytes(StandardCharsets.US_ASCII);
        for (String type : List.of("application/json", "multipart/form-data; boundary=feed", "application/zip")) {
            for (String path : List.of("/api/hsds/imports")) {
                try (Socket socket = new Socket("localhost", port)) {
                    // Had the service waited for the rest of the body (to parse it before the role check), no
                    // answer would come while the body is still unsent: the read times out and the test fails.
                    socket.setSoTimeout(15_000);
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + CLIENT
                            + "\r\nContent-Type: " + type + "\r\nContent-Length: " + declared + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(sent);
                    out.flush();

                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                            StandardCharsets.UTF_8));
                    String status = in.readLine();
                    Map<String, String> headers = new LinkedHashMap<>();
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        int colon = line.indexOf(':');
                        headers.put(line.substring(0, colon).toLowerCase(java.util.Locale.ROOT),
                                line.substring(colon + 1).strip());
                    }
                    char[] body = new char[Integer.parseInt(headers.getOrDefault("content-length", "0"))];
                    int read = 0;
                    while (read < body.length) {
                        read += in.read(body, read, body.length - read);
                    }
                    String problem = new String(body);
                    assertThat(status).as(type + " to " + path).startsWith("HTTP/1.1 403");
                    assertThat(headers.get("content-type")).startsWith("application/problem+json");
                    assertThat(problem).contains("urn:pathways:problem:forbidden");
                }
            }
        }
    }
}
