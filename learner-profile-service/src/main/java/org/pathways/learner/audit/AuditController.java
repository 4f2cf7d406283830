package org.pathways.learner.audit;

import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import org.pathways.learner.domain.Learners;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The access trail of one learner, for the agency that registered them (also after erasure). */
@RestController
class AuditController {

    static final int DEFAULT_PAGE = 50;
    static final int MAX_PAGE = 200;

    private final Learners learners;
    private final AccessAudit audit;

    AuditController(Learners learners, AccessAudit audit) {
        this.learners = learners;
        this.audit = audit;
    }

    /**
     * One page of the trail, oldest first: {@code limit} entries (default {@value #DEFAULT_PAGE}, at most
     * {@value #MAX_PAGE}) after the cursor {@code after}. When more follow, the answer carries
     * {@code Link: <…?after=…&limit=…>; rel="next"}.
     */
    /**
     * An entry as the registering agency sees it. A duplicate match by another agency is said, never by whom: that
     * another agency (a sexual-health service, a housing team) was about to register the person is the person's to
     * tell, and a record planted with their phone number would otherwise report every agency they approach. The
     * trail keeps who it was, for the partnership's data protection officer.
     */
    static AuditEntry shownTo(Caller caller, AuditEntry entry) {
        if (entry.action() != AccessAction.DUPLICATE_MATCH || caller.agencyId().equals(entry.agencyId())) {
            return entry;
        }
        // Its grounds too: a consent's or referral's id would name the agency as well.
        return new AuditEntry(entry.id(), entry.learnerId(), entry.action(), null, null, entry.at(), entry.purpose(),
                null, java.util.List.of());
    }

    @GetMapping("/api/learners/{learnerId}/audit")
    ResponseEntity<List<AuditEntry>> trail(Caller caller, @PathVariable String learnerId,
                                           @RequestParam(required = false) @Size(min = 1, max = 200) String after,
                                           @RequestParam(defaultValue = "" + DEFAULT_PAGE) @Min(1) @Max(MAX_PAGE)
                                           int limit) {
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_ADMIN)) {
            throw ProblemException.forbidden("Only an agency's workers read a learner's access trail.");
        }
        learners.registeredBy(caller, learnerId);
        AuditPage page = audit.trail(learnerId, after == null ? null : AuditCursor.decode(after), limit);
        ResponseEntity.BodyBuilder answer = ResponseEntity.ok();
        if (page.next() != null) {
            answer.header(HttpHeaders.LINK, "</api/learners/" + learnerId + "/audit?after=" + page.next().encode()
                    + "&limit=" + limit + ">; rel=\"next\"");
        }
        return answer.body(page.entries().stream().map(entry -> shownTo(caller, entry)).toList());
    }
}
