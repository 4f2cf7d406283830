package org.pathways.catalogue.hsds;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Open Referral HSDS 3.0: import for the platform's administrators, export for every authenticated caller. */
@RestController
class HsdsController {

    private final HsdsImport importer;
    private final HsdsExport exporter;

    HsdsController(HsdsImport importer, HsdsExport exporter) {
        this.importer = importer;
        this.exporter = exporter;
    }

    @PostMapping("/api/hsds/import")
    ImportReport importDocument(Caller caller, @RequestBody JsonNode document) {
        if (!caller.has(Role.PLATFORM_ADMIN)) {
            throw ProblemException.forbidden("Only the platform's administrators import Open Referral data.");
        }
        return importer.importDocument(document);
    }

    @GetMapping("/api/hsds/services")
    ObjectNode services(Caller caller, @RequestParam(defaultValue = "1") @Min(1) @Max(100_000) int page,
                        @RequestParam(name = "per_page", defaultValue = "50") @Min(1) @Max(500) int perPage) {
        return exporter.services(page, perPage);
    }

    @GetMapping("/api/hsds/organizations")
    ObjectNode organizations(Caller caller, @RequestParam(defaultValue = "1") @Min(1) @Max(100_000) int page,
                             @RequestParam(name = "per_page", defaultValue = "50") @Min(1) @Max(500) int perPage) {
        return exporter.organizations(page, perPage);
    }
}
