package org.pathways.learner.domain;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/** The details a worker keeps about a learner: what registration sets and an update replaces. */
public interface LearnerDetails {

    String NO_CONTROL_CHARACTERS = "[^\\p{Cntrl}]*";
    /**
     * Free text in the learner's own words may hold tabs and run over several lines (LF or CRLF, as a browser's
     * text area sends), but holds no other control character.
     */
    String NO_CONTROL_CHARACTERS_EXCEPT_LINES = "[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]*";
    String EMAIL = "[^@\\s]+@[^@\\s]+\\.[^@\\s]+";
    String PHONE = "\\+?[0-9][0-9 ()-]{5,19}";
    String LOCALITY = "[A-Z0-9-]{1,16}";
    String LANGUAGE = "[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}";

    String givenName();

    String familyName();

    String preferredName();

    LocalDate dateOfBirth();

    String email();

    String phone();

    ContactMethod preferredContactMethod();

    String localityCode();

    String preferredLanguage();

    Boolean interpreterNeeded();

    String accessibilityNeeds();

    Set<Barrier> barriers();

    String goals();

    List<String> interests();

    List<Achievement> priorAchievements();
}
