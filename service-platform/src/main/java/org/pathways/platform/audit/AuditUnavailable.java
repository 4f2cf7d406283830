package org.pathways.platform.audit;

import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;

/** A read of personal data refused because it could not be recorded first: the audit trail fails closed. */
public final class AuditUnavailable {

    private AuditUnavailable() {
    }

    /** The one problem every service answers when a personal-data read could not be recorded first. */
    public static ProblemException problem() {
        return new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, "audit-unavailable",
                "This personal data cannot be shown now: its reading could not be recorded. Try again shortly.");
    }
}
