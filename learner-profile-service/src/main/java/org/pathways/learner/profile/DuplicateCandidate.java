package org.pathways.learner.profile;

import java.util.Set;

/**
 * A record that may be the same person as one being registered. Says only what a worker needs to follow it up:
 * the record's id, what matched, and whether their own agency can open it. It never shows another agency's data
 * (not even which agency holds the record, which could itself reveal a health or housing relationship); the worker
 * confirms with the learner, then links the records or registers anyway.
 *
 * @param matchedOn any of {@code DATE_OF_BIRTH_AND_NAME}, {@code EMAIL}, {@code PHONE}
 * @param visibleToYou whether the caller's agency may read that record (it registered it, or holds a consent)
 */
public record DuplicateCandidate(String learnerId, Set<String> matchedOn, boolean visibleToYou) {
}
