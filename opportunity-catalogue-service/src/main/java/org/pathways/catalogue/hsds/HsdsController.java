package org.pathways.catalogue.hsds;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Open Referral HSDS 3.0: import for the platform's administrators (small feeds within the request, any size as a
 * background job), export for every authenticated caller as the standard's read API (its root, services and
 * organizations, listed or one by id). A query parameter an export endpoint does not honour is refused by name
 * ({@link HsdsParameters}), never ignored: a client must not take the whole catalogue for a filtered answer.
 */
@RestController
@EnableConfigurationProperties(HsdsProperties.class)
class HsdsController {

    private static final String TYPES = "organization|service|service_at_location|location|taxonomy|taxonomy_term";
    private static final String UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

    private final HsdsImport importer;
    private final ImportJobs jobs;
    private final HsdsExport exporter;
    private final HsdsProperties properties;
    private final ImportAdmission admission;
    private final JsonMapper json;

    HsdsController(HsdsImport importer, ImportJobs jobs, HsdsExport exporter, HsdsProperties properties,
                   ImportAdmission admission, JsonMapper json) {
        this.importer = importer;
        this.jobs = jobs;
        this.exporter = exporter;
        this.properties = properties;
        this.admission = admission;
        this.json = json;
    }

    /** A feed of at most {@value HsdsImport#MAX_SYNCHRONOUS_RECORDS} records, imported before the answer. */
    @PostMapping(path = "/api/hsds/import", consumes = MediaType.APPLICATION_JSON_VALUE)
    ImportReport importDocument(Caller caller, @RequestBody JsonNode document,
                                @RequestParam(required = false) @Pattern(regexp = TYPES) String type) {
        mayImport(caller);
        return importer.importNow(HsdsFeed.fromJson(document, type));
    }

    /**
     * An HSDS JSON document of any size, imported as a job: a page's records ({@code contents}) are staged as they
     * arrive, so its size is not held in memory ({@link HsdsJsonStream}); other forms are read whole, within what
     * {@link ImportAdmission} admits.
     */
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
            schema = @Schema(type = "object")))
    @PostMapping(path = "/api/hsds/imports", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ImportJobView> submitDocument(Caller caller, @RequestBody InputStreamResource document,
                                                 @RequestParam(required = false) @Pattern(regexp = TYPES)
                                                 String type) {
        mayImport(caller);
        try (ImportAdmission.Permit permit = admission.admit(0, ImportAdmission.JSON_BYTES);
             InputStream in = permit.bounded(document.getInputStream());
             JsonParser parser = json.createParser(in)) {
            return accepted(jobs.submit(caller, parser, type, permit));
        } catch (IOException e) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "malformed-request",
                    "The request body could not be read.");
        }
    }

    /** The HSDS tabular form as a zip of CSV files, imported as a job. */
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/zip",
            schema = @Schema(type = "string", format = "binary")))
    @PostMapping(path = "/api/hsds/imports", consumes = "application/zip")
    ResponseEntity<ImportJobView> submitZip(Caller caller, @RequestBody InputStreamResource zip,
                                            HttpServletRequest request) {
        mayImport(caller);
        HsdsTabular tabular = new HsdsTabular();
        try (ImportAdmission.Permit permit = admission.admit(request.getContentLengthLong(),
                ImportAdmission.TABULAR_BYTES)) {
            try (InputStream in = zip.getInputStream()) {
                tabular.readZip(in, permit.bytes(), permit::hold);
            } catch (IOException e) {
                throw new ProblemException(HttpStatus.BAD_REQUEST, "not-hsds", "The body is not a readable zip.");
            }
            return accepted(jobs.submit(caller, tabular(tabular)));
        }
    }

    /** The HSDS tabular form as CSV files (any part names; each file named after its table), or zips of them. */
    @PostMapping(path = "/api/hsds/imports", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ResponseEntity<ImportJobView> submitFiles(Caller caller, @RequestPart List<MultipartFile> files) {
        mayImport(caller);
        long size = files.stream().mapToLong(MultipartFile::getSize).sum();
        HsdsTabular tabular = new HsdsTabular();
        try (ImportAdmission.Permit permit = admission.admit(size, ImportAdmission.TABULAR_BYTES)) {
            for (MultipartFile file : files) {
                String name = file.getOriginalFilename() == null ? "" : file.getOriginalFilename();
                try (InputStream in = file.getInputStream()) {
                    if (name.toLowerCase(java.util.Locale.ROOT).endsWith(".zip")) {
                        tabular.readZip(in, permit.bytes(), permit::hold);
                    } else {
                        permit.hold(file.getSize()); // held with the zips' inflated files, within one budget
                        tabular.read(name, new InputStreamReader(in, StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    throw new ProblemException(HttpStatus.BAD_REQUEST, "not-hsds", "A file could not be read.");
                }
            }
            return accepted(jobs.submit(caller, tabular(tabular)));
        }
    }

    @GetMapping("/api/hsds/imports/{id}")
    ImportJobView job(Caller caller, @PathVariable String id) {
        return ImportJobView.of(jobs.find(caller, id));
    }

    private static HsdsFeed tabular(HsdsTabular tabular) {
        if (tabular.tables().isEmpty()) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "not-hsds",
                    "No HSDS table: name each CSV file after its table (organizations.csv, services.csv...).");
        }
        return HsdsFeed.fromTables(tabular.tables());
    }

    private static ResponseEntity<ImportJobView> accepted(ImportJob job) {
        return ResponseEntity.accepted().location(URI.create("/api/hsds/imports/" + job.id))
                .body(ImportJobView.of(job));
    }

    private static void mayImport(Caller caller) {
        if (!caller.has(Role.PLATFORM_ADMIN)) {
            throw ProblemException.forbidden("Only the platform's administrators import Open Referral data.");
        }
    }

    // ---------------------------------------------------------------------------------------------- export (the
    // standard's read API: https://github.com/openreferral/specification/blob/3.0/schema/openapi.json)

    /** The API's root: which HSDS it serves ({@code version}), its profile and the OpenAPI document defining it. */
    @GetMapping("/api/hsds")
    ObjectNode root(Caller caller, HttpServletRequest request) {
        HsdsParameters.ROOT.check(request);
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("version", "3.0");
        root.put("profile", properties.profile().toString());
        root.put("openapi_url", properties.openapiUrl().toString());
        return root;
    }

    /** The root as a client joining the API's base URL and the standard's {@code /} asks for it. */
    @Hidden
    @GetMapping("/api/hsds/")
    ObjectNode rootWithSlash(Caller caller, HttpServletRequest request) {
        return root(caller, request);
    }

    @GetMapping("/api/hsds/services")
    ObjectNode services(Caller caller, @RequestParam(defaultValue = "1") @Min(1) @Max(100_000) int page,
                        @RequestParam(name = "per_page", defaultValue = "50") @Min(1) @Max(500) int perPage,
                        @RequestParam(name = "organization_id", required = false) @Pattern(regexp = UUID)
                        String organizationId,
                        HttpServletRequest request) {
        HsdsParameters.SERVICES.check(request);
        return exporter.services(page, perPage, organizationId);
    }

    /** One service, fully nested (the standard's {@code service} response); {@code 404} unless it is published. */
    @GetMapping("/api/hsds/services/{id}")
    ObjectNode service(Caller caller, @PathVariable String id, HttpServletRequest request) {
        HsdsParameters.SERVICE.check(request);
        return exporter.service(id).orElseThrow(() -> ProblemException.notFound("service", safeId(id)));
    }

    @GetMapping("/api/hsds/organizations")
    ObjectNode organizations(Caller caller, @RequestParam(defaultValue = "1") @Min(1) @Max(100_000) int page,
                             @RequestParam(name = "per_page", defaultValue = "50") @Min(1) @Max(500) int perPage,
                             HttpServletRequest request) {
        HsdsParameters.ORGANIZATIONS.check(request);
        return exporter.organizations(page, perPage);
    }

    /** One organization with its services in brief; {@code 404} unless it is published (approved). */
    @GetMapping("/api/hsds/organizations/{id}")
    ObjectNode organization(Caller caller, @PathVariable String id, HttpServletRequest request) {
        HsdsParameters.ORGANIZATION.check(request);
        return exporter.organization(id).orElseThrow(() -> ProblemException.notFound("organization", safeId(id)));
    }

    /** An id repeated in a problem only when it is one (a UUID): nothing else the caller sent comes back. */
    private static String safeId(String id) {
        return HsdsFeed.isUuid(id) ? id : "with that id";
    }
}
