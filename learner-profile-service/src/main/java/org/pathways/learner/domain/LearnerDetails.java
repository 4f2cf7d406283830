package org.pathways.learner.domain;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/** The details a worker keeps about a learner: what registration sets and an update replaces. */
public interface LearnerDetails {

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
