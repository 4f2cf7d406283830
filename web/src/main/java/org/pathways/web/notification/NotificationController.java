package org.pathways.web.notification;

import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;

import org.pathways.web.api.ApiProblem;
import org.pathways.web.api.PathwaysApi;

/**
 * The in-app inbox of the notification-service: the agency's notices (a referral arrived, one is overdue), read or
 * unread for this worker, and the unread count the header asks for on every page (htmx, refreshed every 20 s).
 */
@Controller
class NotificationController {

    private final PathwaysApi api;

    NotificationController(PathwaysApi api) {
        this.api = api;
    }

    @GetMapping("/notifications")
    String inbox(Model model) {
        Map<String, Object> inbox = api.get("/api/notifications");
        model.addAttribute("notifications", inbox.getOrDefault("notifications", List.of()));
        model.addAttribute("unread", inbox.getOrDefault("unread", 0));
        return "notifications/inbox";
    }

    /** The header's badge: a number with words for screen readers, or nothing when all is read. */
    @GetMapping("/notifications/unread")
    String unread(Model model) {
        Object unread;
        try {
            unread = api.get("/api/notifications/unread-count").getOrDefault("unread", 0);
        } catch (ApiProblem notAvailable) {
            unread = 0;
        } catch (org.springframework.security.oauth2.client.ClientAuthorizationRequiredException signInAgain) {
            // The badge on every page is no reason to send the person round the issuer: the page's own next call is.
            unread = 0;
        }
        model.addAttribute("unread", unread);
        return "notifications/inbox :: badge";
    }

    @PostMapping("/notifications/{id}/read")
    String read(@PathVariable String id) {
        api.post("/api/notifications/{id}/read", null, id);
        return "redirect:/notifications";
    }
}
