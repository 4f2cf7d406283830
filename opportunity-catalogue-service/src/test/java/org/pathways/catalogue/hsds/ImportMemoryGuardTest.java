package org.pathways.catalogue.hsds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.platform.security.Role;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;

/**
 * One administrator's large import never takes the memory the catalogue's other callers need: a feed that must be
 * held whole to be read (CSV files joined across tables, a JSON document that is not a page) is refused when it would
 * take more than an import may (24 MB in these tests), with a problem saying what to do; a JSON page of any size is
 * read a record at a time. Every other caller is answered meanwhile.
 */
class ImportMemoryGuardTest extends OpportunityCatalogueServiceTest {

    private static final String ADMIN = TestTokens.token("platform-admin", "agency-platform", Role.PLATFORM_ADMIN);
    private static final String CLIENT = TestTokens.worker(COUNCIL);
    private static final Path CSV = Path.of("src/test/resources/hsds/openreferral-3.0/csv");

    private HttpApi.Response upload(List<String> names, List<byte[]> files) throws IOException {
        String boundary = "hsds-" + UUID.randomUUID();
        ByteArrayOutputStream multipart = new ByteArrayOutputStream();
        for (int i = 0; i < names.size(); i++) {
            multipart.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\""
                    + names.get(i) + "\"\r\nContent-Type: text/csv\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            multipart.write(files.get(i));
            multipart.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        multipart.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return api().send(api().request("/api/hsds/imports", ADMIN)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipart.toByteArray())));
    }

    @Test
    void csvFilesTooLargeForTheMemoryAnImportMayTakeAreA413AndEveryoneElseIsStillAnswered() throws IOException {
        StringBuilder organizations = new StringBuilder("id,name,description\n");
        while (organizations.length() < 5_000_000) {
            organizations.append(UUID.randomUUID()).append(",Learning Centre,").append("A long description. "
                    .repeat(10)).append('\n');
        }

        HttpApi.Response refused = upload(List.of("organizations.csv"),
                List.of(organizations.toString().getBytes(StandardCharsets.UTF_8)));

        assertThat(refused.isProblem(413, "too-large")).as(String.valueOf(refused.body())).isTrue();
        assertThat(refused.body().path("detail").asString()).contains("Split the feed");
        assertThat(api().get("/api/hsds", CLIENT).status()).as("another caller").isEqualTo(200);
        List<Path> example;
        try (Stream<Path> files = Files.list(CSV)) {
            example = files.filter(file -> file.toString().endsWith(".csv")).sorted().toList();
        }
        HttpApi.Response next = upload(example.stream().map(file -> file.getFileName().toString()).toList(),
                example.stream().map(ImportMemoryGuardTest::bytes).toList());
        assertThat(next.status()).as("the next import is read").isEqualTo(202);
    }

    @Test
    void aJsonDocumentHeldWholeIsRefusedPastWhatAnImportMayHoldButAPageOfAnySizeIsRead() {
        String description = "A long description. ".repeat(250);
        StringBuilder records = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            // ids that are not UUIDs: the job refuses them by name at once, writing nothing
            records.append(i == 0 ? "" : ",").append("{\"id\": \"big-").append(i)
                    .append("\", \"name\": \"Learning Centre\", \"description\": \"").append(description)
                    .append("\"}");
        }
        assertThat(records.length()).as("more than the 8 MB of JSON an import may hold here")
                .isGreaterThan(9_000_000);

        HttpApi.Response tables = api().post("/api/hsds/imports", ADMIN, "{\"organizations\": [" + records + "]}");
        HttpApi.Response page = api().post("/api/hsds/imports", ADMIN, "{\"contents\": [" + records + "]}");

        assertThat(tables.isProblem(413, "too-large")).as(String.valueOf(tables.body())).isTrue();
        assertThat(tables.body().path("detail").asString()).contains("\"contents\"");
        assertThat(page.status()).as(String.valueOf(page.body())).isEqualTo(202);
        assertThat(page.body().path("total").asInt()).isEqualTo(2_000);
        assertThat(api().get("/api/hsds", CLIENT).status()).as("another caller").isEqualTo(200);
    }

    /** 3 MB of CSV and a zip inflating to 3 MB: each fits the 4 MB of CSV an import may hold here, not both. */
    @Test
    void csvFilesAndAZipThatTogetherHoldMoreThanAnImportMayAreA413() throws IOException {
        // ids that are not UUIDs: were it read, the job would refuse them by name, writing nothing
        byte[] row = ("not-a-uuid,Learning Centre," + "A long description. ".repeat(10) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        csv.write("id,name,description\n".getBytes(StandardCharsets.UTF_8));
        while (csv.size() < 3_000_000) {
            csv.write(row);
        }
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("services.csv"));
            out.write(csv.toByteArray());
            out.closeEntry();
        }
        assertThat(zip.size()).as("compressed").isLessThan(500_000);

        HttpApi.Response refused = upload(List.of("organizations.csv", "services.zip"),
                List.of(csv.toByteArray(), zip.toByteArray()));

        assertThat(refused.isProblem(413, "too-large")).as(String.valueOf(refused.body())).isTrue();
        assertThat(api().get("/api/hsds", CLIENT).status()).as("another caller").isEqualTo(200);
    }

    @Test
    void aSmallZipThatInflatesPastWhatAnImportMayHoldIsA413() throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("organizations.csv"));
            byte[] row = ("00000000-0000-4000-8000-000000000000,Learning Centre,"
                    + "A long description. ".repeat(10) + "\n").getBytes(StandardCharsets.UTF_8);
            out.write("id,name,description\n".getBytes(StandardCharsets.UTF_8));
            for (int written = 0; written < 5_000_000; written += row.length) {
                out.write(row);
            }
            out.closeEntry();
        }
        assertThat(zip.size()).as("compressed").isLessThan(1_000_000);

        HttpApi.Response refused = api().send(api().request("/api/hsds/imports", ADMIN)
                .header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(zip.toByteArray())));

        assertThat(refused.isProblem(413, "too-large")).as(String.valueOf(refused.body())).isTrue();
        assertThat(api().get("/api/hsds", CLIENT).status()).as("another caller").isEqualTo(200);
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
