package org.pathways.referral.notes;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.platform.audit.PersonalDataRead;
import org.pathways.platform.idempotency.IdempotencyKeys;
import org.pathways.platform.security.Caller;
import org.pathways.platform.validation.ResourceId;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.web.ExpectedVersion;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Handoff notes: only the two agencies of a referral read and write them (coordinators never see them). */
@RestController
@RequestMapping("/api/referrals/{id}/notes")
class NotesController {

    private final HandoffNotes notes;

    NotesController(HandoffNotes notes) {
        this.notes = notes;
    }

    /**
     * Adds a note. {@code If-Match} is optional here (a note never conflicts with a transition); when sent, a
     * referral changed since is a 409. The answer's {@code ETag} is the referral's version after the note. With an
     * {@code Idempotency-Key}, the same request sent again answers {@code 200} with the note the first added.
     */
    @PostMapping
    ResponseEntity<Referral.Note> add(Caller caller, @PathVariable @ResourceId String id,
                                      @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                      @RequestHeader(name = IdempotencyKeys.HEADER, required = false)
                                      @Size(min = 1, max = 128) @Pattern(regexp = IdempotencyKeys.PATTERN)
                                      String idempotencyKey,
                                      @Valid @RequestBody AddNote request) {
        HandoffNotes.Added added = notes.add(caller, id, request, ExpectedVersion.of(ifMatch, null, false),
                idempotencyKey);
        ResponseEntity.BodyBuilder answer = added.replayed() ? ResponseEntity.ok()
                : ResponseEntity.created(URI.create("/api/referrals/" + id + "/notes"));
        return answer.header(IdempotencyKeys.REPLAYED, String.valueOf(added.replayed()))
                .eTag(ExpectedVersion.etag(added.referralVersion())).body(added.note());
    }

    /**
     * The thread: whole, oldest first (as it always was); or with {@code limit}, a page newest first, and a
     * {@code Link: rel="next"} header to the older notes ({@code before}) while there are any.
     */
    @PersonalDataRead("referral handoff notes")
    @GetMapping
    ResponseEntity<List<Referral.Note>> thread(Caller caller, @PathVariable @ResourceId String id,
                                               @RequestParam(required = false) @Min(1) @Max(500) Integer limit,
                                               @RequestParam(required = false) @Min(1) Integer before) {
        if (limit == null) {
            return ResponseEntity.ok(notes.thread(caller, id));
        }
        HandoffNotes.Page page = notes.page(caller, id, limit, before);
        ResponseEntity.BodyBuilder response = ResponseEntity.ok();
        if (page.olderBefore() != null) {
            response.header(HttpHeaders.LINK, "<" + "/api/referrals/" + id + "/notes?limit=" + limit + "&before="
                    + page.olderBefore() + ">; rel=\"next\"");
        }
        return response.body(page.notes());
    }
}
