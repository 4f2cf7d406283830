package org.pathways.catalogue.hsds;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a feed as the catalogue's import does, in a JVM of its own (so its heap is the import's alone), and prints
 * the heap the reading retained at most: {@code stream <file> <mongo uri>} stages it as {@code POST /api/hsds/imports}
 * does now, {@code tree <file>} reads it whole as the import did before (a tree, then {@link HsdsFeed#fromJson}).
 * Also writes the benchmark's feed: {@link #writeFeed} copies of the standard's full organization example.
 */
public final class ImportMemoryProbe {

    private static final Pattern UUIDS = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ImportMemoryProbe() {
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[1]);
        long[] most = {0};
        int records;
        if (args[0].equals("tabular")) {
            long baseline = retained();
            HsdsTabular tabular = new HsdsTabular();
            try (var files = Files.list(file)) {
                for (Path csv : files.sorted().toList()) {
                    try (var reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
                        tabular.read(csv.getFileName().toString(), reader);
                    }
                }
            }
            HsdsFeed feed = HsdsFeed.fromTables(tabular.tables());
            most[0] = retained() - baseline;
            records = feed.size();
        } else if (args[0].equals("tree")) {
            long baseline = retained();
            HsdsFeed feed = HsdsFeed.fromJson(JSON.readTree(file.toFile()), null);
            most[0] = retained() - baseline;
            records = feed.size();
        } else {
            try (MongoClient client = MongoClients.create(args[2]);
                 InputStream in = Files.newInputStream(file);
                 JsonParser parser = JSON.createParser(in)) {
                MongoTemplate mongo = new MongoTemplate(client, "import-memory-probe");
                mongo.count(new Query(), StagedRecord.class); // the store's client is not the import's
                long start = retained();
                String job = UUID.randomUUID().toString();
                StagedFeed staged = new StagedFeed(mongo, job);
                HsdsFeed.Builder feed = new HsdsFeed.Builder(staged);
                int[] read = {0};
                HsdsJsonStream.read(parser, null, feed, () -> {
                    staged.writeIfFull(0);
                    if (++read[0] % 250 == 0) {
                        most[0] = Math.max(most[0], retained() - start);
                    }
                });
                records = staged.finish();
                mongo.remove(Query.query(Criteria.where("jobId").is(job)), StagedRecord.class);
            }
        }
        long bytes = 0;
        try (var files = Files.walk(file)) {
            for (Path each : files.filter(Files::isRegularFile).toList()) {
                bytes += Files.size(each);
            }
        }
        System.out.println("records=" + records + " file-bytes=" + bytes + " retained-bytes=" + most[0]
                + " max-heap=" + Runtime.getRuntime().maxMemory());
    }

    /** The heap still in use after a full collection. */
    private static long retained() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The standard's CSV example with its rows repeated {@code copies} times, each time with new ids. */
    static void writeTables(Path dir, int copies) throws IOException {
        Files.createDirectories(dir);
        try (var files = Files.list(Path.of("src/test/resources/hsds/openreferral-3.0/csv"))) {
            for (Path csv : files.filter(f -> f.toString().endsWith(".csv")).toList()) {
                List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
                try (Writer out = Files.newBufferedWriter(dir.resolve(csv.getFileName()), StandardCharsets.UTF_8)) {
                    out.write(lines.getFirst() + "\n");
                    String rows = String.join("\n", lines.subList(1, lines.size()));
                    for (int copy = 0; copy < copies && !rows.isBlank(); copy++) {
                        int n = copy;
                        out.write(UUIDS.matcher(rows).replaceAll(match -> UUID.nameUUIDFromBytes((match.group() + n)
                                .getBytes(StandardCharsets.UTF_8)).toString()) + "\n");
                    }
                }
            }
        }
    }

    /** A page ({@code contents}) of {@code copies} of the standard's full organization example, each with new ids. */
    static void writeFeed(Path file, int copies) throws IOException {
        String example = Files.readString(Path.of("src/test/resources/hsds/openreferral-3.0/organization_full.json"));
        Set<String> ids = new LinkedHashSet<>();
        UUIDS.matcher(example).results().forEach(match -> ids.add(match.group()));
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("{\"total_items\": " + copies + ", \"contents\": [");
            for (int copy = 0; copy < copies; copy++) {
                int n = copy;
                Matcher matcher = UUIDS.matcher(example);
                out.write(copy == 0 ? "\n" : ",\n");
                out.write(matcher.replaceAll(match -> UUID.nameUUIDFromBytes((match.group() + n)
                        .getBytes(StandardCharsets.UTF_8)).toString()));
            }
            out.write("]}\n");
        }
    }
}
