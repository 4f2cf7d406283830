package org.pathways.progression.live;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.progression.access.Audience;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** The live stream of projection changes (Server-Sent Events). */
@RestController
@RequestMapping("/api/progression")
class LiveController {

    private final LiveUpdates live;

    LiveController(LiveUpdates live) {
        this.live = live;
    }

    /**
     * Opens a stream only for a client that asks for one ({@code Accept: text/event-stream}, as every EventSource
     * does): a plain GET would otherwise hang on a response that never ends.
     */
    @GetMapping(path = "/live", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter live(Caller caller, HttpServletRequest request) {
        Audience audience = Audience.of(caller);
        if (!asksForEventStream(request.getHeader(HttpHeaders.ACCEPT))) {
            throw new ProblemException(HttpStatus.NOT_ACCEPTABLE, "not-acceptable",
                    "This is a Server-Sent Events stream: send 'Accept: text/event-stream'.");
        }
        return live.subscribe(caller.agencyId() + "/" + caller.userId(), audience);
    }

    private static boolean asksForEventStream(String accept) {
        if (accept == null) {
            return false;
        }
        try {
            List<MediaType> types = MediaType.parseMediaTypes(accept);
            return types.stream().anyMatch(MediaType.TEXT_EVENT_STREAM::equalsTypeAndSubtype);
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }
}
