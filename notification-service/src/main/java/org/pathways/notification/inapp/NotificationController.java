package org.pathways.notification.inapp;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.pathways.notification.notice.NoticeKind;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.platform.validation.ResourceId;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A worker's in-app inbox: the agency's notifications, each read or unread for this worker. */
@RestController
@RequestMapping("/api/notifications")
class NotificationController {


    private final WorkerInbox inbox;

    NotificationController(WorkerInbox inbox) {
        this.inbox = inbox;
    }

    record NotificationView(String id, NoticeKind kind, String referralId, String learnerId, String link, Instant createdAt,
                            boolean read) {
    }

    record Inbox(List<NotificationView> notifications, long unread) {
    }

    @GetMapping
    Inbox list(Caller caller, @RequestParam(defaultValue = "false") boolean unread,
               @RequestParam(defaultValue = "50") @Min(1) @Max(200) int limit) {
        requirePerson(caller);
        List<NotificationView> views = inbox.of(caller.agencyId(), caller.userId(), unread, limit).stream()
                .map(n -> new NotificationView(n.id(), n.kind(), n.referralId(), n.learnerId(), n.link(), n.createdAt(),
                        n.readBy().contains(caller.userId())))
                .toList();
        return new Inbox(views, inbox.unread(caller.agencyId(), caller.userId()));
    }

    @GetMapping("/unread-count")
    Map<String, Long> unreadCount(Caller caller) {
        requirePerson(caller);
        return Map.of("unread", inbox.unread(caller.agencyId(), caller.userId()));
    }

    @PostMapping("/{id}/read")
    ResponseEntity<Void> read(Caller caller, @PathVariable @ResourceId String id) {
        requirePerson(caller);
        if (!inbox.markRead(caller.agencyId(), id, caller.userId())) {
            throw ProblemException.notFound("notification", id);
        }
        return ResponseEntity.noContent().build();
    }

    private static void requirePerson(Caller caller) {
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_ADMIN) && !caller.has(Role.COORDINATOR)) {
            throw ProblemException.forbidden("The in-app inbox is for an agency's workers, admins and coordinators.");
        }
    }
}
