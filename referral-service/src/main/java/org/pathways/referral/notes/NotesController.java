package org.pathways.referral.notes;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import org.pathways.platform.security.Caller;
import org.pathways.referral.submission.Referral;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Handoff notes: only the two agencies of a referral read and write them (coordinators never see them). */
@RestController
@RequestMapping("/api/referrals/{id}/notes")
class NotesController {

    private final HandoffNotes notes;

    NotesController(HandoffNotes notes) {
        this.notes = notes;
    }

    @PostMapping
    ResponseEntity<Referral.Note> add(Caller caller, @PathVariable @Pattern(regexp = "[A-Za-z0-9._:-]{1,64}") String id,
                                      @Valid @RequestBody AddNote request) {
        Referral.Note note = notes.add(caller, id, request);
        return ResponseEntity.created(URI.create("/api/referrals/" + id + "/notes")).body(note);
    }

    @GetMapping
    List<Referral.Note> thread(Caller caller, @PathVariable @Pattern(regexp = "[A-Za-z0-9._:-]{1,64}") String id) {
        return notes.thread(caller, id);
    }
}
