package org.pathways.learner.team;

import org.pathways.learner.audit.AccessRequest;
import org.pathways.platform.security.Caller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
class TeamController {

    private final Teams teams;

    TeamController(Teams teams) {
        this.teams = teams;
    }

    @GetMapping("/api/learners/{id}/team")
    TeamView team(Caller caller, AccessRequest request, @PathVariable String id) {
        return teams.view(caller, id, request);
    }
}
