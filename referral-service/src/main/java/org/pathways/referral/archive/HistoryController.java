package org.pathways.referral.archive;

import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.validation.ResourceId;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.web.ReferralView;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A referral's full history, which its own view shortens to the first entry and the most recent ones: whole, oldest
 * first, or in pages, newest first ({@code limit}, then {@code before} from the {@code Link: rel="next"} header).
 * Seen by the workers and systems of the two agencies, as the history in the referral's view is.
 */
@RestController
class HistoryController {

    private final MongoTemplate mongo;
    private final ReferralArchive archive;

    private final org.pathways.referral.web.PartyStanding standing;

    HistoryController(MongoTemplate mongo, ReferralArchive archive, org.pathways.referral.web.PartyStanding standing) {
        this.standing = standing;
        this.mongo = mongo;
        this.archive = archive;
    }

    @GetMapping("/api/referrals/{id}/history")
    ResponseEntity<List<Referral.StatusChange>> history(Caller caller, @PathVariable @ResourceId String id,
                                                        @RequestParam(required = false) @Min(1) @Max(500) Integer limit,
                                                        @RequestParam(required = false) @Min(1) Integer before) {
        Referral referral = mongo.findById(id, Referral.class);
        if (referral == null || !referral.isPartyTo(caller.agencyId())) {
            throw ProblemException.notFound("referral", id);
        }
        if (!ReferralView.seesPersonalData(caller)) {
            throw ProblemException.forbidden("Only the workers and systems of the two agencies read a referral's "
                    + "history.");
        }
        int count = referral.historyCount();
        // The words given with the reasons are the person's data: without standing, the codes only.
        java.util.function.UnaryOperator<List<Referral.StatusChange>> shown = standing.has(referral, caller.agencyId())
                ? history -> history : ReferralView::withoutWords;
        if (limit == null) {
            return ResponseEntity.ok(shown.apply(archive.history(referral, 0, count - 1)));
        }
        int to = before == null ? count - 1 : Math.min(count - 1, before - 1);
        int from = Math.max(0, to - limit + 1);
        ResponseEntity.BodyBuilder response = ResponseEntity.ok();
        if (from > 0 && to >= from) {
            response.header(HttpHeaders.LINK, "</api/referrals/" + id + "/history?limit=" + limit + "&before=" + from
                    + ">; rel=\"next\"");
        }
        return response.body(shown.apply(archive.history(referral, from, to).reversed()));
    }
}
