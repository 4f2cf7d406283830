package org.pathways.learner.lead;

import jakarta.validation.Valid;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.platform.security.Caller;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/learners/{id}/lead")
class LeadController {

    private final Leads leads;

    LeadController(Leads leads) {
        this.leads = leads;
    }

    @GetMapping
    LeadView get(Caller caller, AccessRequest request, @PathVariable String id) {
        return leads.read(caller, id, request);
    }

    @PutMapping
    LeadView assign(Caller caller, AccessRequest request, @PathVariable String id,
                    @Valid @RequestBody AssignLead assign) {
        return leads.assign(caller, id, assign.workerId(), request);
    }

    @DeleteMapping
    LeadView stepDown(Caller caller, AccessRequest request, @PathVariable String id) {
        return leads.stepDown(caller, id, request);
    }

    @PostMapping("/handover")
    LeadView offerHandover(Caller caller, AccessRequest request, @PathVariable String id,
                           @Valid @RequestBody OfferHandover offer) {
        return leads.offerHandover(caller, id, offer, request);
    }

    @PostMapping("/handover/accept")
    LeadView acceptHandover(Caller caller, AccessRequest request, @PathVariable String id) {
        return leads.acceptHandover(caller, id, request);
    }

    @DeleteMapping("/handover")
    LeadView dropHandover(Caller caller, AccessRequest request, @PathVariable String id) {
        return leads.dropHandover(caller, id, request);
    }
}
