package org.pathways.notification.email;

import java.time.Clock;
import java.time.Instant;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** An agency admin sets where the agency's e-mail notifications go and in which language. */
@RestController
@RequestMapping("/api/agency-settings")
class AgencySettingsController {

    private final MongoTemplate mongo;
    private final Clock clock;

    AgencySettingsController(MongoTemplate mongo, Clock clock) {
        this.mongo = mongo;
        this.clock = clock;
    }

    /** {@code language}: a language with e-mail templates, {@code en} or {@code cy} (Welsh). */
    record UpdateSettings(@NotBlank @Email @Size(max = 254) String notificationEmail,
                          @NotBlank @Pattern(regexp = EmailTemplates.LANGUAGES) String language) {
    }

    record SettingsView(String agencyId, String notificationEmail, String language, Instant updatedAt) {
    }

    @PutMapping
    SettingsView put(Caller caller, @Valid @RequestBody UpdateSettings request) {
        requireAdmin(caller);
        AgencySettings settings = new AgencySettings(caller.agencyId(), request.notificationEmail(),
                request.language(), clock.instant());
        mongo.save(settings);
        return view(settings);
    }

    @GetMapping
    SettingsView get(Caller caller) {
        requireAdmin(caller);
        AgencySettings settings = mongo.findById(caller.agencyId(), AgencySettings.class);
        if (settings == null) {
            throw ProblemException.notFound("agency-settings", caller.agencyId());
        }
        return view(settings);
    }

    private static SettingsView view(AgencySettings s) {
        return new SettingsView(s.agencyId(), s.notificationEmail(), s.language(), s.updatedAt());
    }

    private static void requireAdmin(Caller caller) {
        if (!caller.has(Role.AGENCY_ADMIN)) {
            throw ProblemException.forbidden("Only an agency admin manages the agency's notification settings.");
        }
    }
}
