package org.pathways.learner.matching;

import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A record that may be the same person as one being registered. Says only what a worker needs to follow it up. For
 * a record their own agency may open: its id ({@code visibleToYou}), to open or link it. For any other record:
 * nothing of it at all, not its id, not which agency holds it (that alone could reveal a health or housing
 * relationship), only an opaque, single-use {@code matchToken} with which the worker, once they have registered
 * their own record, asks the agency that holds the match to link the two ({@code POST
 * /api/learners/{yourRecord}/link-requests}).
 *
 * @param learnerId the matching record's id, only when the caller's agency may see it
 * @param matchToken for a record the caller may not see: the token to ask its agency for a link, else absent
 * @param matchedOn any of {@code DATE_OF_BIRTH_AND_NAME}, {@code EMAIL}, {@code PHONE}
 * @param visibleToYou whether the caller's agency may read that record (it registered it, holds a consent, or
 *                     receives an open referral)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DuplicateCandidate(String learnerId, String matchToken, Set<String> matchedOn, boolean visibleToYou) {

    static DuplicateCandidate visible(String learnerId, Set<String> matchedOn) {
        return new DuplicateCandidate(learnerId, null, matchedOn, true);
    }

    static DuplicateCandidate hidden(String matchToken, Set<String> matchedOn) {
        return new DuplicateCandidate(null, matchToken, matchedOn, false);
    }
}
