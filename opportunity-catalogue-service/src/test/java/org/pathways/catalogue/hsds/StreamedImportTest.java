package org.pathways.catalogue.hsds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.platform.security.Role;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A JSON import is staged as it is read (its records written in batches, not held): what a job imports is what it
 * imported when the whole document was read first, record for record and finding for finding, and a document found
 * broken half-way leaves nothing behind.
 */
class StreamedImportTest extends OpportunityCatalogueServiceTest {

    private static final Path EXAMPLES = Path.of("src/test/resources/hsds");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    MongoTemplate mongo;

    private static String admin() {
        return TestTokens.token("platform-admin", "agency-platform", Role.PLATFORM_ADMIN);
    }

    private record Staged(List<String> records, List<ImportFinding> findings) {
    }

    /** What a job staged before: the document read whole, then its feed's records in order. */
    private static Staged readWhole(String document) {
        HsdsFeed feed = HsdsFeed.fromJson(JSON.readTree(document), null);
        List<String> records = new ArrayList<>();
        feed.organizations().forEach(record -> records.add("ORGANIZATION " + record));
        feed.services().forEach(record -> records.add("SERVICE " + record));
        return new Staged(records, feed.findings());
    }

    /** What a job stages now: the document streamed into its staged records. */
    private Staged streamed(String document) {
        String job = UUID.randomUUID().toString();
        StagedFeed staged = new StagedFeed(mongo, job);
        HsdsFeed.Builder feed = new HsdsFeed.Builder(staged);
        List<ImportFinding> findings = new ArrayList<>();
        byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
        try (JsonParser parser = JSON.createParser(new ByteArrayInputStream(bytes))) {
            HsdsJsonStream.read(parser, null, feed, () -> {
                findings.addAll(feed.findings);
                feed.findings.clear();
                staged.writeIfFull();
            });
        }
        int total = staged.finish();
        List<StagedRecord> records = mongo.find(Query.query(Criteria.where("jobId").is(job)).with(Sort.by("seq")),
                StagedRecord.class);
        staged.discard();
        assertThat(records).extracting(StagedRecord::seq).as("numbered from 0")
                .containsExactlyElementsOf(Stream.iterate(0, i -> i + 1).limit(total).toList());
        return new Staged(records.stream().map(r -> r.table() + " " + JSON.readTree(r.json())).toList(), findings);
    }

    @Test
    void everyExampleDocumentIsStagedAsWhenItWasReadWhole() throws IOException {
        List<Path> examples;
        try (Stream<Path> files = Stream.concat(Files.list(EXAMPLES.resolve("openreferral-3.0")),
                Files.list(EXAMPLES.resolve("openreferral-uk")))) {
            examples = files.filter(file -> file.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(examples).hasSizeGreaterThan(15);
        for (Path example : examples) {
            String document = Files.readString(example);
            assertThat(streamed(document)).as(example.toString()).isEqualTo(readWhole(document));
        }
    }

    /**
     * A page whose records refer back to records already written: full organizations after services carried their
     * summaries, links to a service written a batch before, duplicates, ids that are not UUIDs, a part that is not a
     * record.
     */
    @Test
    void aPageWhoseRecordsChangeRecordsWrittenBatchesBeforeIsStagedAsWhenItWasReadWhole() {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode page = nodes.objectNode();
        page.put("total_items", 0);
        ArrayNode contents = page.putArray("contents");
        List<String> services = new ArrayList<>();
        List<String> organizations = new ArrayList<>();
        contents.addObject().put("id", "org-not-a-uuid").put("name", "Not identified");
        for (int i = 0; i < 2 * StagedFeed.BATCH + 50; i++) {
            services.add(UUID.randomUUID().toString());
            organizations.add(UUID.randomUUID().toString());
            ObjectNode service = contents.addObject().put("id", services.get(i)).put("name", "Service " + i)
                    .put("status", "active");
            service.putObject("organization").put("id", organizations.get(i)).put("name", "Summary " + i);
        }
        contents.add(3);
        contents.addObject().put("id", "svc-not-a-uuid").put("name", "Not identified").put("status", "active");
        for (int i = 0; i < 5; i++) {
            contents.addObject().put("id", organizations.get(i)).put("name", "Full " + i)
                    .put("description", "The full record");
            ObjectNode link = contents.addObject().put("id", UUID.randomUUID().toString());
            link.putObject("service").put("id", services.get(i)).put("name", "Linked " + i).put("status", "active");
            link.putObject("location").put("id", UUID.randomUUID().toString()).put("name", "Venue " + i);
        }
        contents.addObject().put("id", services.get(3)).put("name", "Again").put("status", "active");
        contents.addObject().put("id", organizations.get(7)).put("name", "Full again");
        ObjectNode nested = contents.addObject().put("id", UUID.randomUUID().toString()).put("name", "Nesting");
        nested.putArray("services").addObject().put("id", UUID.randomUUID().toString()).put("name", "Nested")
                .put("status", "active");
        String document = page.toString();

        Staged whole = readWhole(document);
        Staged streamed = streamed(document);

        assertThat(streamed.records()).containsExactlyElementsOf(whole.records());
        assertThat(streamed.findings()).containsExactlyElementsOf(whole.findings());
        assertThat(whole.findings()).extracting(ImportFinding::code).contains("DUPLICATE", "NOT_A_RECORD");
        assertThat(String.join("\n", streamed.records())).contains("Full 0", "Venue 4", "org-not-a-uuid");
    }

    @Test
    void aDocumentNestedPastWhatTheParserAllowsIsRefusedAsMalformedAndNothingOfItIsKept() {
        String marker = "Nested-" + UUID.randomUUID();
        String document = "{\"contents\": [{\"id\": \"" + UUID.randomUUID() + "\", \"name\": \"" + marker
                + "\"}, " + "[".repeat(600) + "]".repeat(600) + "]}";
        long jobs = mongo.count(new Query(), ImportJob.class);

        HttpApi.Response refused = api().post("/api/hsds/imports", admin(), document);

        assertThat(refused.isProblem(400, "malformed-request")).as(String.valueOf(refused.body())).isTrue();
        assertThat(mongo.count(Query.query(Criteria.where("json").regex(marker)), StagedRecord.class))
                .as("nothing staged").isZero();
        assertThat(mongo.count(new Query(), ImportJob.class)).as("no job").isEqualTo(jobs);
    }

    @Test
    void aDocumentFoundBrokenHalfWayIsRefusedAndNothingOfItIsKept() {
        String marker = "Broken-" + UUID.randomUUID();
        StringBuilder document = new StringBuilder("{\"contents\": [");
        for (int i = 0; i < 3 * StagedFeed.BATCH; i++) {
            document.append("{\"id\": \"").append(UUID.randomUUID()).append("\", \"name\": \"").append(marker)
                    .append("\"},");
        }
        document.append("{\"id\": ]}");
        long jobs = mongo.count(new Query(), ImportJob.class);

        HttpApi.Response refused = api().post("/api/hsds/imports", admin(), document.toString());

        assertThat(refused.isProblem(400, "malformed-request")).as(String.valueOf(refused.body())).isTrue();
        assertThat(mongo.count(Query.query(Criteria.where("json").regex(marker)), StagedRecord.class))
                .as("records staged before the break are removed").isZero();
        assertThat(mongo.count(new Query(), ImportJob.class)).as("no job").isEqualTo(jobs);
        HttpApi.Response next = api().post("/api/hsds/imports", admin(), "{\"contents\": []}");
        assertThat(next.status()).as("the next import is read").isEqualTo(202);
    }
}
