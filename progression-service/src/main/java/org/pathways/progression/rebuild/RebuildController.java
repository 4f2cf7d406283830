package org.pathways.progression.rebuild;

import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Starts a rebuild of every projection and shows its progress: platform admins only. */
@RestController
@RequestMapping("/api/progression/rebuild")
class RebuildController {

    private final ProjectionRebuild rebuild;

    RebuildController(ProjectionRebuild rebuild) {
        this.rebuild = rebuild;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.ACCEPTED)
    ProjectionRebuild.Status start(Caller caller) {
        platformAdmin(caller);
        return rebuild.start();
    }

    @GetMapping
    ProjectionRebuild.Status status(Caller caller) {
        platformAdmin(caller);
        return rebuild.status();
    }

    private static void platformAdmin(Caller caller) {
        if (!caller.has(Role.PLATFORM_ADMIN)) {
            throw ProblemException.forbidden("Only platform administrators rebuild the projections.");
        }
    }
}
