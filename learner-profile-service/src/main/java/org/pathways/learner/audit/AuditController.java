package org.pathways.learner.audit;

import java.util.List;

import org.pathways.learner.profile.LearnerProfiles;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** The access trail of one learner, for the agency that registered them (also after erasure). */
@RestController
class AuditController {

    private final LearnerProfiles profiles;
    private final AccessAudit audit;

    AuditController(LearnerProfiles profiles, AccessAudit audit) {
        this.profiles = profiles;
        this.audit = audit;
    }

    @GetMapping("/api/learners/{learnerId}/audit")
    List<AuditEntry> trail(Caller caller, @PathVariable String learnerId) {
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_ADMIN)) {
            throw ProblemException.forbidden("Only an agency's workers read a learner's access trail.");
        }
        profiles.registeredBy(caller, learnerId);
        return audit.trail(learnerId);
    }
}
