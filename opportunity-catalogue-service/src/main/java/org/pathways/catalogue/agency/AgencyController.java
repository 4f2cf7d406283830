package org.pathways.catalogue.agency;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import org.pathways.events.agency.AgencyKind;
import org.pathways.platform.security.Caller;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/agencies")
class AgencyController {

    private final AgencyDirectory directory;

    AgencyController(AgencyDirectory directory) {
        this.directory = directory;
    }

    /** Registers the caller's own agency. */
    @PostMapping
    ResponseEntity<AgencyView> register(Caller caller, @Valid @RequestBody AgencyDetails details) {
        Agency agency = directory.register(caller, details);
        return ResponseEntity.created(URI.create("/api/agencies/" + agency.id())).body(AgencyView.of(agency, caller));
    }

    @PutMapping("/{id}")
    AgencyView revise(Caller caller, @PathVariable String id, @Valid @RequestBody AgencyDetails details) {
        return AgencyView.of(directory.revise(caller, id, details), caller);
    }

    /** A platform administrator approves (or changes) the agency's kind and sector. */
    @PutMapping("/{id}/kind")
    AgencyView approve(Caller caller, @PathVariable String id, @Valid @RequestBody KindApproval approval) {
        return AgencyView.of(directory.approve(caller, id, approval), caller);
    }

    @GetMapping("/{id}")
    AgencyView get(Caller caller, @PathVariable String id) {
        return AgencyView.of(directory.get(id), caller);
    }

    /**
     * Agencies by name; of a locality, of an approved kind, or by status ({@code PENDING}: waiting for a platform
     * administrator's approval, the list their approval page starts from). A pending agency's contacts only to
     * itself and platform administrators ({@link AgencyView}).
     */
    @GetMapping
    List<AgencyView> list(Caller caller, @RequestParam(required = false) @Size(max = 100) String locality,
                          @RequestParam(required = false) AgencyKind kind,
                          @RequestParam(required = false) AgencyView.Status status) {
        return directory.list(locality == null || locality.isBlank() ? null : locality.strip(), kind, status).stream()
                .map(agency -> AgencyView.of(agency, caller)).toList();
    }
}
