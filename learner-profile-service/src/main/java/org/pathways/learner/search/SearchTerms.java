package org.pathways.learner.search;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import org.pathways.events.learner.ConsentPurpose;
import org.pathways.learner.domain.PersonName;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Sharing;
import org.pathways.platform.problem.ProblemException;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.http.HttpStatus;

/**
 * What a worker typed to find a learner: a date of birth ({@code YYYY-MM-DD}), a record id, or the start of names
 * (each word the start of one of the learner's given, family or preferred names, ignoring case and accents).
 */
record SearchTerms(String text, LocalDate dateOfBirth, List<String> nameParts) {

    static final int MIN_LENGTH = 2;
    static final int MAX_LENGTH = 100;

    /** Reads {@code q}; too short, too long or with control characters is a {@code 400}. */
    static SearchTerms of(String q) {
        String text = q == null ? "" : q.strip();
        if (text.length() < MIN_LENGTH || text.length() > MAX_LENGTH || text.chars().anyMatch(Character::isISOControl)) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "validation",
                    "\"q\" must be " + MIN_LENGTH + " to " + MAX_LENGTH + " characters: the start of a name, a "
                            + "learner's id, or a date of birth as YYYY-MM-DD.");
        }
        LocalDate date = null;
        if (text.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}")) {
            try {
                date = LocalDate.parse(text);
            } catch (DateTimeParseException notADate) {
                throw new ProblemException(HttpStatus.BAD_REQUEST, "validation",
                        "\"q\" looks like a date but is not one; write a date of birth as YYYY-MM-DD.");
            }
        }
        return new SearchTerms(text, date, date == null ? PersonName.parts(text) : List.of());
    }

    /**
     * What the store is asked for, beyond the caller's standing: the date of birth; or the record id, or names
     * starting with the first word (records registered before names were kept for search have no keys: they are
     * checked here too, by {@link #matches}).
     */
    Criteria criteria() {
        if (dateOfBirth != null) {
            return Criteria.where("dateOfBirth").is(dateOfBirth.toString());
        }
        List<Criteria> any = new ArrayList<>();
        any.add(Criteria.where("_id").is(text));
        if (!nameParts.isEmpty()) {
            // Letters only (PersonName keeps nothing else), so nothing to escape; anchored, so an index serves it.
            any.add(Criteria.where("nameKeys").regex("^" + nameParts.getFirst()));
            any.add(Criteria.where("nameKeys").exists(false));
        }
        return new Criteria().orOperator(any);
    }

    /**
     * Whether {@code learner} matches, judged only on what the caller may see of them ({@code sharing}): a date of
     * birth matches only for an agency that sees it, so that a search never tells anyone a birthday they may not
     * read. Names are seen by every agency that sees the learner at all.
     */
    boolean matches(Learner learner, Sharing sharing) {
        if (dateOfBirth != null) {
            return (sharing.registering() || sharing.includes(ConsentPurpose.REFERRAL_SHARING))
                    && dateOfBirth.equals(learner.dateOfBirth());
        }
        if (learner.id().equals(text)) {
            return true;
        }
        if (nameParts.isEmpty()) {
            return false;
        }
        PersonName name = learner.name();
        List<String> names = new ArrayList<>(name.givenParts());
        names.addAll(name.familyParts());
        return nameParts.stream().allMatch(part -> names.stream().anyMatch(known -> known.startsWith(part)));
    }
}
