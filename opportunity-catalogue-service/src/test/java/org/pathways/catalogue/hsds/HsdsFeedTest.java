package org.pathways.catalogue.hsds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Every published form of an HSDS feed becomes the same organizations and nested services. */
class HsdsFeedTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path SPEC = Path.of("src/test/resources/hsds/openreferral-3.0");
    private static final String ORGANIZATION = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610";
    private static final String SERVICE = "ac148810-d857-441c-9679-408f346de14b";

    private static HsdsFeed feed(String example, String type) throws IOException {
        return HsdsFeed.fromJson(JSON.readTree(Files.readString(SPEC.resolve(example))), type);
    }

    private static void oneOrganizationWithItsService(HsdsFeed feed) {
        assertThat(feed.organizations()).extracting(o -> o.path("id").asString()).containsExactly(ORGANIZATION);
        assertThat(feed.services()).extracting(s -> s.path("id").asString()).containsExactly(SERVICE);
        assertThat(feed.services().getFirst().path("organization_id").asString()).isEqualTo(ORGANIZATION);
    }

    @Test
    void anOrganizationBringsItsNestedServices() throws IOException {
        HsdsFeed feed = feed("organization_full.json", null);
        oneOrganizationWithItsService(feed);
        assertThat(feed.organizations().getFirst().has("services")).as("not reported as unmapped").isFalse();
        assertThat(feed.organizations().getFirst().has(HsdsFeed.SUMMARY)).isFalse();
    }

    @Test
    void aServiceBringsItsOrganizationAsASummary() throws IOException {
        HsdsFeed feed = feed("service_full.json", null);
        oneOrganizationWithItsService(feed);
        assertThat(feed.organizations().getFirst().has(HsdsFeed.SUMMARY)).isTrue();
    }

    @Test
    void aServiceAtLocationBringsItsServiceWithTheLocation() throws IOException {
        HsdsFeed feed = feed("service_at_location_full.json", null);
        oneOrganizationWithItsService(feed);
        JsonNode link = feed.services().getFirst().path("service_at_locations").path(0);
        assertThat(link.path("location").path("location_type").asString()).isEqualTo("physical");
    }

    @Test
    void aPageOfServicesAndTheTabularDocumentReadTheSame() throws IOException {
        oneOrganizationWithItsService(feed("service_list.json", null));
        HsdsFeed tabular = feed("tabular.json", null);
        oneOrganizationWithItsService(tabular);
        assertThat(tabular.services().getFirst().path("service_at_locations").path(0).path("location")
                .path("addresses").path(0).path("city").asString()).isEqualTo("MyCity");
    }

    @Test
    void recordsThatAreNotCatalogueEntriesImportNothingAndSaySo() throws IOException {
        for (String example : new String[] {"base.json", "location.json", "taxonomy.json", "taxonomy_term.json",
                "taxonomy_list.json", "taxonomy_term_list.json"}) {
            HsdsFeed feed = feed(example, null);
            assertThat(feed.size()).as(example).isZero();
            assertThat(feed.findings()).as(example).isNotEmpty()
                    .allMatch(f -> f.code().equals(ImportIssue.NOTHING_TO_IMPORT.name()));
        }
        assertThat(feed("taxonomy.json", "organization").organizations()).as("a type given is believed")
                .hasSize(1);
    }
}
