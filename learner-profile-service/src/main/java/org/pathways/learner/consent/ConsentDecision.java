package org.pathways.learner.consent;

/** The answer to "may this agency use this learner's data for this purpose now?". */
public record ConsentDecision(boolean allowed) {
}
