package org.pathways.catalogue.hsds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.platform.problem.ProblemException;
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
                staged.writeIfFull(0);
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

    /**
     * Records of about 1 MB each: what is held before it is staged is bounded by bytes, not only by the count of
     * records (a batch of 200 such records would hold 200 MB), so most of the page is staged before its end arrives.
     */
    @Test
    void aPageOfLargeRecordsIsStagedSeveralTimesAsItIsReadNotHeldUntilItsEnd() {
        String marker = "Large-" + UUID.randomUUID();
        String description = "A long description. ".repeat(50_000);
        int records = 40;
        long[] stagedBeforeTheLast = {-1};
        InputStream body = new SequenceInputStream(java.util.Collections.enumeration(Stream.iterate(0, i -> i + 1)
                .limit(records + 2).map(i -> i == 0 ? text("{\"contents\": [")
                        : i <= records ? lazy(i, records, () -> {
                            if (i == records) { // the client is about to send the last record
                                stagedBeforeTheLast[0] = mongo.count(Query.query(Criteria.where("json")
                                        .regex(marker)), StagedRecord.class);
                            }
                            return (i == 1 ? "" : ",") + "{\"id\": \"large-" + i + "\", \"name\": \"" + marker
                                    + "\", \"description\": \"" + description + "\"}";
                        })
                        : text("]}")).toList()));

        HttpApi.Response accepted = api().send(api().request("/api/hsds/imports", admin())
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> body)));

        assertThat(accepted.status()).as(String.valueOf(accepted.body())).isEqualTo(202);
        assertThat(accepted.body().path("total").asInt()).isEqualTo(records);
        assertThat(stagedBeforeTheLast[0]).as("records staged while the page was still arriving")
                .isGreaterThanOrEqualTo(records - 15);
    }

    private static InputStream text(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A part of a body made only when the client comes to send it. */
    private static InputStream lazy(int i, int records, java.util.function.Supplier<String> part) {
        return new InputStream() {
            private InputStream made;

            private InputStream made() {
                if (made == null) {
                    made = text(part.get());
                }
                return made;
            }

            @Override
            public int read() throws IOException {
                return made().read();
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                return made().read(buffer, offset, length);
            }
        };
    }

    @Test
    void aRecordTooLargeForOneStoredDocumentIsRefusedAs413AndNothingOfItIsKept() {
        String job = UUID.randomUUID().toString();
        StagedFeed staged = new StagedFeed(mongo, job);
        HsdsFeed.Builder feed = new HsdsFeed.Builder(staged);
        ObjectNode record = JsonNodeFactory.instance.objectNode().put("id", UUID.randomUUID().toString())
                .put("name", "Too large").put("description", "A long description. ".repeat(850_000));

        assertThatThrownBy(() -> {
            feed.record(record, null);
            staged.finish();
        }).isInstanceOfSatisfying(ProblemException.class, refused -> {
            assertThat(refused.status().value()).isEqualTo(413);
            assertThat(refused.kind()).isEqualTo("too-large");
            assertThat(refused.getMessage()).contains("15 MB");
        });
        staged.discard();
        assertThat(mongo.count(Query.query(Criteria.where("jobId").is(job)), StagedRecord.class)).isZero();
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
