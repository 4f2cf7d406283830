package org.pathways.learner.profile;

import java.net.URI;
import java.time.Clock;
import java.util.EnumSet;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.events.learner.ProfileField;
import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.domain.Access;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.platform.idempotency.IdempotencyKeys;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/learners")
class LearnerController {

    private final LearnerProfiles profiles;
    private final Learners learners;
    private final AccessAudit audit;
    private final Clock clock;

    LearnerController(LearnerProfiles profiles, Learners learners, AccessAudit audit, Clock clock) {
        this.profiles = profiles;
        this.learners = learners;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Registers a learner ({@code 201}); with an {@code Idempotency-Key}, the same request sent again (a double click,
     * a client's retry) answers {@code 200} with the learner the first registered, not a second record.
     */
    @PostMapping
    ResponseEntity<LearnerView> register(Caller caller, AccessRequest access,
                                         @RequestHeader(name = IdempotencyKeys.HEADER, required = false)
                                         @Size(min = 1, max = 128) @Pattern(regexp = IdempotencyKeys.PATTERN)
                                         String idempotencyKey,
                                         @Valid @RequestBody RegisterLearner request) {
        LearnerProfiles.Registered registered = profiles.register(caller, request, access, idempotencyKey);
        Learner learner = registered.learner();
        ResponseEntity.BodyBuilder answer = registered.replayed() ? ResponseEntity.ok()
                : ResponseEntity.created(URI.create("/api/learners/" + learner.id()));
        return answer.header(IdempotencyKeys.REPLAYED, String.valueOf(registered.replayed()))
                .location(URI.create("/api/learners/" + learner.id()))
                .eTag(etag(learner))
                .body(LearnerView.forRegisteringAgency(learner, clock.instant()));
    }

    @GetMapping("/{id}")
    ResponseEntity<LearnerView> get(Caller caller, AccessRequest request, @PathVariable String id) {
        Access access = learners.access(caller, id);
        audit.record(caller, id, AccessAction.READ_PROFILE, request, access.grounds());
        return ResponseEntity.ok().eTag(etag(access.learner())).body(profiles.view(caller, access));
    }

    /** Replaces the whole profile; the version read goes in {@code If-Match} or the body. */
    @PutMapping("/{id}")
    ResponseEntity<LearnerView> replace(Caller caller, AccessRequest access, @PathVariable String id,
                                        @RequestHeader(name = "If-Match", required = false) String ifMatch,
                                        @Valid @RequestBody UpdateLearner request) {
        return updated(caller, access, id,
                profiles.update(caller, id, expectedVersion(ifMatch, request.version()), current -> request,
                        EnumSet.allOf(ProfileField.class), access));
    }

    /** Changes only the fields sent. */
    @PatchMapping("/{id}")
    ResponseEntity<LearnerView> patch(Caller caller, AccessRequest access, @PathVariable String id,
                                      @RequestHeader(name = "If-Match", required = false) String ifMatch,
                                      @Valid @RequestBody PatchLearner request) {
        return updated(caller, access, id,
                profiles.update(caller, id, expectedVersion(ifMatch, request.version()), request::appliedTo,
                        request.sent(), access));
    }

    private ResponseEntity<LearnerView> updated(Caller caller, AccessRequest request, String id, Access access) {
        return ResponseEntity.ok().eTag(etag(access.learner())).body(profiles.view(caller, access));
    }

    private static String etag(Learner learner) {
        return "\"" + learner.version() + "\"";
    }

    /** {@code If-Match: "3"} (or {@code W/"3"}) and/or {@code "version": 3}; if both are sent they must agree. */
    static Long expectedVersion(String ifMatch, Long bodyVersion) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return bodyVersion;
        }
        String tag = ifMatch.strip();
        if (tag.startsWith("W/")) {
            tag = tag.substring(2);
        }
        tag = tag.replace("\"", "");
        if (!tag.matches("[0-9]{1,18}")) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "validation",
                    "If-Match must be the ETag the profile was read with, such as \"3\".");
        }
        Long headerVersion = Long.valueOf(tag);
        if (bodyVersion != null && !bodyVersion.equals(headerVersion)) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "validation",
                    "If-Match and \"version\" disagree; send one of them.");
        }
        return headerVersion;
    }
}
