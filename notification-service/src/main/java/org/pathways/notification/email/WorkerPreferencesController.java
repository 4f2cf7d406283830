package org.pathways.notification.email;

import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.notification.notice.NoticeKind;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A worker sets their own notification preferences (for the agency their token acts for): where their e-mails go,
 * in which language, and which notices they want. No one else reads or changes them, not even their agency's admin.
 */
@RestController
@RequestMapping("/api/notifications/preferences/me")
class WorkerPreferencesController {

    private static final Logger log = LoggerFactory.getLogger(WorkerPreferencesController.class);

    private final MongoTemplate mongo;
    private final Clock clock;
    private final AgencyWorkers workers;

    WorkerPreferencesController(MongoTemplate mongo, Clock clock, AgencyWorkers workers) {
        this.mongo = mongo;
        this.clock = clock;
        this.workers = workers;
    }

    /**
     * @param language a language tag such as {@code en}, {@code cy} or {@code cy-GB}; e-mails come in it where
     *                 templates exist (English and Welsh), otherwise in English
     * @param notices  the notices wanted by e-mail; empty to want none (and keep the rest)
     */
    record UpdatePreferences(@NotBlank @Email @Size(max = 254) String email,
                             @NotBlank @Size(max = 16) @Pattern(regexp = EmailTemplates.LANGUAGE_TAG) String language,
                             @NotNull @Size(max = 16) Set<@NotNull NoticeKind> notices) {
    }

    /** {@code emailLanguage}: the language the e-mails will actually be in. */
    record PreferencesView(String agencyId, String userId, String email, String language, String emailLanguage,
                           Set<NoticeKind> notices, Instant updatedAt) {
    }

    @PutMapping
    PreferencesView put(Caller caller, @Valid @RequestBody UpdatePreferences request) {
        requirePerson(caller);
        WorkerPreferences preferences = new WorkerPreferences(WorkerPreferences.idOf(caller.agencyId(),
                caller.userId()), caller.agencyId(), caller.userId(), request.email(), request.language(),
                new TreeSet<>(request.notices()), clock.instant());
        // Listed first: a listed worker without preferences is not written to, an unlisted one would never be. And
        // listed again once saved: a removal of the same worker's preferences at once (another tab) may have unlisted
        // them between the two (see delete).
        workers.list(caller.agencyId(), caller.userId());
        mongo.save(preferences);
        workers.list(caller.agencyId(), caller.userId());
        log.info("User {} of agency {} set their notification preferences ({})", caller.userId(), caller.agencyId(),
                preferences.notices());
        return view(preferences);
    }

    @GetMapping
    PreferencesView get(Caller caller) {
        requirePerson(caller);
        WorkerPreferences preferences = mongo.findById(WorkerPreferences.idOf(caller.agencyId(), caller.userId()),
                WorkerPreferences.class);
        if (preferences == null) {
            throw ProblemException.notFound("notification-preferences", "me");
        }
        return view(preferences);
    }

    /** Forgets the worker's preferences, address included; e-mails still queued for them are not sent. */
    @DeleteMapping
    ResponseEntity<Void> delete(Caller caller) {
        requirePerson(caller);
        String id = WorkerPreferences.idOf(caller.agencyId(), caller.userId());
        mongo.remove(Query.query(Criteria.where("_id").is(id)), WorkerPreferences.class);
        workers.unlist(caller.agencyId(), caller.userId());
        // A save of the same worker's preferences at once (another tab, a retry) may have come between the removal
        // and the unlisting: its preferences are kept, so they stay listed. (Its own listing after its save covers
        // a save that comes after this look.)
        if (mongo.exists(Query.query(Criteria.where("_id").is(id)), WorkerPreferences.class)) {
            workers.list(caller.agencyId(), caller.userId());
        }
        log.info("User {} of agency {} deleted their notification preferences", caller.userId(), caller.agencyId());
        return ResponseEntity.noContent().build();
    }

    private static PreferencesView view(WorkerPreferences p) {
        String emailLanguage = EmailTemplates.languageFor(p.language());
        return new PreferencesView(p.agencyId(), p.userId(), p.email(), p.language(), emailLanguage,
                p.notices() == null ? Set.of() : new TreeSet<>(p.notices()), p.updatedAt());
    }

    private static void requirePerson(Caller caller) {
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_ADMIN) && !caller.has(Role.COORDINATOR)) {
            throw ProblemException.forbidden("Notification preferences are a person's own: workers, admins and"
                    + " coordinators set theirs.");
        }
    }
}
