package org.pathways.learner.domain;

/**
 * A consent of a record merged away, which a consent of the record that carries the person on stands for: the copy a
 * merge made of it, or the consent of the same scope the survivor already had. Withdrawing either withdraws both
 * ({@code ConsentRecords}): the person withdrew one consent, whichever record the worker opened.
 */
public record ConsentOrigin(String learnerId, String consentId) {
}
