package org.pathways.catalogue.hsds;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HSDS tabular form (the datapackage's CSV files, one per table, with a header row): read with Commons CSV into
 * rows of the tables {@link HsdsFeed} nests. A file is named after its table ({@code services.csv}, and the singular
 * or {@code service_at_location.csv} spellings the examples use); files of other names (and {@code datapackage.json})
 * are passed over. Empty cells are absent values. A table given twice (the UK profile's {@code address.csv} and
 * {@code addresses.csv}) is read once per row id.
 */
final class HsdsTabular {

    /** A zip of CSV files: at most this many entries, and this many bytes once inflated. */
    static final int MAX_ENTRIES = 200;
    static final long MAX_INFLATED_BYTES = 256L * 1024 * 1024;

    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
            .setIgnoreEmptyLines(true).setIgnoreSurroundingSpaces(false).get();

    private final Map<String, List<ObjectNode>> tables = new LinkedHashMap<>();
    private final Map<String, java.util.Set<String>> seen = new LinkedHashMap<>();

    Map<String, List<ObjectNode>> tables() {
        return tables;
    }

    /** Reads one CSV file, if its name is a table's. Returns whether it was one. */
    boolean read(String fileName, Reader csv) {
        String table = fileName.toLowerCase(java.util.Locale.ROOT).endsWith(".csv") ? HsdsFeed.tableName(fileName)
                : null;
        if (table == null) {
            return false;
        }
        List<ObjectNode> rows = tables.computeIfAbsent(table, k -> new ArrayList<>());
        java.util.Set<String> ids = seen.computeIfAbsent(table, k -> new java.util.HashSet<>());
        try (CSVParser parser = CSVParser.builder().setReader(csv).setFormat(FORMAT).get()) {
            List<String> header = parser.getHeaderNames().stream()
                    .map(name -> name.replace("\uFEFF", "").strip()).toList();
            for (CSVRecord record : parser) {
                ObjectNode row = JsonNodeFactory.instance.objectNode();
                for (int i = 0; i < header.size() && i < record.size(); i++) {
                    String value = record.get(i);
                    if (value != null && !value.isEmpty() && !header.get(i).isEmpty()) {
                        row.put(header.get(i), value);
                    }
                }
                String id = row.path("id").asString("");
                if (id.isEmpty() || ids.add(id)) {
                    rows.add(row);
                }
                if (rows.size() > HsdsFeed.MAX_RECORDS) {
                    throw new ProblemException(HttpStatus.BAD_REQUEST, "too-large",
                            "At most " + HsdsFeed.MAX_RECORDS + " " + table + " per import.");
                }
            }
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "not-hsds",
                    "The file " + table + ".csv is not readable CSV with a header row.");
        }
        return true;
    }

    /** Reads the CSV files of a zip (in any folder of it). */
    void readZip(InputStream zip) {
        readZip(zip, MAX_INFLATED_BYTES, inflatedBytes -> { });
    }

    /**
     * Reads the CSV files of a zip, inflating no more than {@code admitted} bytes of them before {@code inflating} is
     * told the bytes of each file (and may refuse them), before the file is read.
     */
    void readZip(InputStream zip, long admitted, java.util.function.LongConsumer inflating) {
        long inflated = 0;
        int entries = 0;
        try (ZipInputStream in = new ZipInputStream(zip, StandardCharsets.UTF_8)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (++entries > MAX_ENTRIES) {
                    throw new ProblemException(HttpStatus.BAD_REQUEST, "too-large",
                            "At most " + MAX_ENTRIES + " files in a zip.");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                long most = Math.min(MAX_INFLATED_BYTES, admitted) - inflated + 1;
                byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, most));
                inflated += content.length;
                inflating.accept(content.length);
                if (inflated > MAX_INFLATED_BYTES) {
                    throw new ProblemException(HttpStatus.BAD_REQUEST, "too-large",
                            "At most " + MAX_INFLATED_BYTES / (1024 * 1024) + " MB of CSV in a zip.");
                }
                read(entry.getName(), new InputStreamReader(new java.io.ByteArrayInputStream(content),
                        StandardCharsets.UTF_8));
            }
        } catch (IOException | IllegalArgumentException e) {
            // An entry name that is not UTF-8 is an IllegalArgumentException on a JDK 21 without JDK-8321156's fix
            // (the images' runtime), a ZipException after it: the caller's file either way, never a 500.
            throw new ProblemException(HttpStatus.BAD_REQUEST, "not-hsds", "The body is not a readable zip.");
        }
        if (entries == 0) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "not-hsds", "The body is not a readable zip.");
        }
    }
}
