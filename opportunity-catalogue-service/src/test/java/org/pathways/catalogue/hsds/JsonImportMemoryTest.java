package org.pathways.catalogue.hsds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathways.testing.SharedInfrastructure;

/**
 * A JSON import larger than the service's heap is read as it arrives: the colleague's case (2,000 copies of the
 * standard's full organization example, 47.5 MB, 4,000 records) is read and staged in a JVM whose whole heap is
 * 64 MB, where holding the document took about 124 MB. The figures go to docs/benchmarks.md.
 */
class JsonImportMemoryTest {

    private static final int COPIES = 2_000;

    @TempDir
    static Path dir;

    @Test
    void aJsonImportLargerThanTheHeapIsStagedInAHeapOf64Mb() throws Exception {
        Path feed = feed();

        Probe probe = probe("-Xmx64m", "stream", feed.toString(), SharedInfrastructure.mongoUri());

        assertThat(probe.exit).as(probe.output).isZero();
        assertThat(probe.output).contains("records=" + 2 * COPIES);
    }

    @Test
    void theHeapTheColleaguesCaseRetainsWhileItIsRead() throws Exception {
        Path feed = feed();

        Probe whole = probe("-Xmx512m", "tree", feed.toString());
        Probe streamed = probe("-Xmx512m", "stream", feed.toString(), SharedInfrastructure.mongoUri());

        System.out.println("HSDS import of " + COPIES + " organization_full copies, read whole: " + whole.output);
        System.out.println("HSDS import of " + COPIES + " organization_full copies, streamed:   " + streamed.output);
        assertThat(whole.exit).as(whole.output).isZero();
        assertThat(streamed.exit).as(streamed.output).isZero();
        assertThat(streamed.retained()).as("retained while streaming, against the file's size")
                .isLessThan(Files.size(feed) / 4);
    }

    @Test
    void theHeapTheTabularFormTakesForEachByteOfIt() throws Exception {
        Path tables = dir.resolve("tables");
        ImportMemoryProbe.writeTables(tables, 2_000);

        Probe read = probe("-Xmx512m", "tabular", tables.toString());

        System.out.println("HSDS import of the tabular example's rows 2,000 times, read whole: " + read.output);
        assertThat(read.exit).as(read.output).isZero();
        assertThat((double) read.retained() / read.bytes()).as("heap per byte, as ImportAdmission estimates it")
                .isLessThan(ImportAdmission.TABULAR_BYTES);
    }

    private static synchronized Path feed() throws IOException {
        Path feed = dir.resolve("organizations.json");
        if (!Files.exists(feed)) {
            ImportMemoryProbe.writeFeed(feed, COPIES);
        }
        return feed;
    }

    private record Probe(int exit, String output) {
        long bytes() {
            return Long.parseLong(output.replaceAll("(?s).*file-bytes=(\\d+).*", "$1"));
        }

        long retained() {
            String figure = output.replaceAll("(?s).*retained-bytes=(\\d+).*", "$1");
            return Long.parseLong(figure);
        }
    }

    private static Probe probe(String heap, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), heap, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                ImportMemoryProbe.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the probe finished").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String last = output.lines().reduce((a, b) -> b).orElse("");
        return new Probe(process.exitValue(), process.exitValue() == 0 ? last : output);
    }
}
