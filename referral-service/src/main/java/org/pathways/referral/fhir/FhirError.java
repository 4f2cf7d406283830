package org.pathways.referral.fhir;

import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.springframework.http.HttpStatus;

/** A request the FHIR API refuses, answered as an {@code OperationOutcome} with this status and issue type. */
final class FhirError extends RuntimeException {

    private final HttpStatus status;
    private final IssueType issue;

    FhirError(HttpStatus status, IssueType issue, String diagnostics) {
        super(diagnostics, null, false, false);
        this.status = status;
        this.issue = issue;
    }

    static FhirError invalid(String diagnostics) {
        return new FhirError(HttpStatus.BAD_REQUEST, IssueType.INVALID, diagnostics);
    }

    static FhirError notFound(String resourceType, String id) {
        return new FhirError(HttpStatus.NOT_FOUND, IssueType.NOTFOUND,
                resourceType + "/" + id + " is not known.");
    }

    HttpStatus status() {
        return status;
    }

    IssueType issue() {
        return issue;
    }
}
