package org.pathways.messaging.deadletter;

import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The service's dead letters for platform administrators, at {@code /api/dead-letters/<service>} (the gateway
 * routes each service's prefix to it; {@code deploy/dead-letters} calls it). Anyone else is refused with 403, as
 * the platform's other administrative endpoints do. Re-drive and discard are writes, so the platform's audit trail
 * records who did them; the reason for a discard is kept with the dead letter's state.
 */
@RestController
@RequestMapping("/api/dead-letters/${spring.application.name}")
public class DeadLetterController {

    /** Why a dead letter is given up on: an operator's note, not a place for anyone's personal data. */
    public record DiscardDeadLetter(@NotBlank @Size(max = 500) String reason) {
    }

    private final DeadLetters deadLetters;

    public DeadLetterController(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    /** A page of dead letters, oldest first; {@code state} is open (default), redriven, discarded or all. */
    @GetMapping
    DeadLetters.DeadLetterPage list(Caller caller, @RequestParam(defaultValue = "open") String state,
                          @RequestParam(defaultValue = "0") @Min(0) @Max(100_000) int page,
                          @RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
        platformAdmin(caller);
        return answer(() -> deadLetters.list(state(state), page, size));
    }

    @GetMapping("/{id}")
    DeadLetter show(Caller caller, @PathVariable String id) {
        platformAdmin(caller);
        return answer(() -> deadLetters.find(id)).orElseThrow(DeadLetterController::notFound);
    }

    /** Sends the record back to its original topic with the same event id; once only (409 after). */
    @PostMapping("/{id}/redrive")
    DeadLetter redrive(Caller caller, @PathVariable String id) {
        platformAdmin(caller);
        return answer(() -> deadLetters.redrive(id, caller.userId()));
    }

    @PostMapping("/{id}/discard")
    DeadLetter discard(Caller caller, @PathVariable String id, @Valid @RequestBody DiscardDeadLetter request) {
        platformAdmin(caller);
        return answer(() -> deadLetters.discard(id, caller.userId(), request.reason().strip()));
    }

    /** The service's answer, with its refusals as problem details. */
    private static <T> T answer(Supplier<T> action) {
        try {
            return action.get();
        } catch (DeadLetters.NoSuchDeadLetter missing) {
            throw notFound();
        } catch (DeadLetters.AlreadyResolved resolved) {
            DeadLetter deadLetter = resolved.deadLetter();
            throw ProblemException.conflict("dead-letter-resolved",
                    resolved.getMessage() + "; it is not offered again.",
                    Map.of("state", deadLetter.state().name(),
                            "resolvedAt", String.valueOf(deadLetter.resolution().at())));
        } catch (DeadLetters.NotRedrivable refused) {
            throw ProblemException.unprocessable("not-redrivable", refused.getMessage() + "; discard it instead.");
        } catch (DeadLetterTopic.RedriveRefused refused) {
            throw ProblemException.unprocessable("not-redrivable", refused.getMessage()
                    + ". Re-publish the record as the broker's operator, then discard this dead letter with that as"
                    + " the reason.");
        } catch (DeadLetterTopicUnavailable unavailable) {
            throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, "dead-letters-unavailable",
                    "The broker did not answer in time; try again shortly.");
        }
    }

    private static ProblemException notFound() {
        return new ProblemException(HttpStatus.NOT_FOUND, "not-found",
                "No dead letter with that id on this service's dead-letter topic.");
    }

    private static DeadLetter.State state(String state) {
        return switch (state.toLowerCase(Locale.ROOT)) {
            case "open" -> DeadLetter.State.OPEN;
            case "redriven" -> DeadLetter.State.REDRIVEN;
            case "discarded" -> DeadLetter.State.DISCARDED;
            case "all" -> null;
            default -> throw new ProblemException(HttpStatus.BAD_REQUEST, "validation",
                    "state is one of open, redriven, discarded or all.");
        };
    }

    private static void platformAdmin(Caller caller) {
        if (!caller.has(Role.PLATFORM_ADMIN)) {
            throw ProblemException.forbidden("Only platform administrators handle dead letters.");
        }
    }
}
