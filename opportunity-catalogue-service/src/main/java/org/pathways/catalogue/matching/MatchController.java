package org.pathways.catalogue.matching;

import jakarta.validation.Valid;
import org.pathways.platform.security.Caller;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class MatchController {

    private final Matchmaker matchmaker;

    MatchController(Matchmaker matchmaker) {
        this.matchmaker = matchmaker;
    }

    @PostMapping("/api/matches")
    MatchResults match(Caller caller, @Valid @RequestBody MatchRequest request) {
        return matchmaker.match(request);
    }
}
