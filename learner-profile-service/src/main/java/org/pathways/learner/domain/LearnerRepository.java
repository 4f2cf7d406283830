package org.pathways.learner.domain;

import java.util.Optional;

import org.springframework.data.repository.Repository;

/** Reads learners. Deliberately without save methods: learners are written only through the outbox. */
public interface LearnerRepository extends Repository<Learner, String> {

    Optional<Learner> findById(String id);

    /** The learners of {@code ids} that exist, in one read by {@code _id}. */
    java.util.List<Learner> findAllById(Iterable<String> ids);
}
