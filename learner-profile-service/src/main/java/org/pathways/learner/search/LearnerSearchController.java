package org.pathways.learner.search;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.domain.Access;
import org.pathways.learner.profile.LearnerProfiles;
import org.pathways.learner.profile.LearnerView;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Finding a learner among those the caller's agency may see. */
@RestController
class LearnerSearchController {

    static final int DEFAULT_PAGE = 20;
    static final int MAX_PAGE = 100;

    private final LearnerSearch search;
    private final LearnerProfiles profiles;
    private final AccessAudit audit;

    LearnerSearchController(LearnerSearch search, LearnerProfiles profiles, AccessAudit audit) {
        this.search = search;
        this.profiles = profiles;
        this.audit = audit;
    }

    /**
     * One page of the learners matching {@code q}, each as the caller's agency may see it; every one is audited
     * before the answer leaves. When more follow, {@code Link: <…&cursor=…>; rel="next"}. Personal data is for an
     * agency's workers and its own systems: anyone else gets {@code 403} (a search names no record, so saying no
     * tells nothing).
     */
    @GetMapping("/api/learners")
    ResponseEntity<List<LearnerView>> find(Caller caller, AccessRequest request,
                                           @RequestParam @Size(max = 400) String q,
                                           @RequestParam(required = false) @Size(min = 1, max = 200) String cursor,
                                           @RequestParam(defaultValue = "" + DEFAULT_PAGE) @Min(1) @Max(MAX_PAGE)
                                           int limit) {
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.forbidden("Only an agency's workers and systems find learners.");
        }
        SearchTerms terms = SearchTerms.of(q);
        LearnerSearch.Page page = search.find(caller.agencyId(), terms,
                cursor == null ? null : SearchCursor.decode(cursor), limit);
        // Every learner answered is a read of their data: all audited before anything is sent (fails closed).
        for (Access access : page.found()) {
            audit.record(caller, access.learner().id(), AccessAction.FIND_LEARNER, request, access.grounds());
        }
        ResponseEntity.BodyBuilder answer = ResponseEntity.ok();
        if (page.next() != null) {
            answer.header(HttpHeaders.LINK, "</api/learners?q=" + URLEncoder.encode(terms.text(), StandardCharsets.UTF_8)
                    + "&cursor=" + page.next().encode() + "&limit=" + limit + ">; rel=\"next\"");
        }
        return answer.body(page.found().stream().map(access -> profiles.view(caller, access)).toList());
    }
}
