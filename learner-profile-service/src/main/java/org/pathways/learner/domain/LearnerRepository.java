package org.pathways.learner.domain;

import java.util.Optional;

import org.springframework.data.repository.Repository;

/** Reads learners. Deliberately without save methods: learners are written only through the outbox. */
public interface LearnerRepository extends Repository<Learner, String> {

    Optional<Learner> findById(String id);
}
