package org.pathways.catalogue.opportunity;

import java.util.Optional;

import org.springframework.data.repository.Repository;

/** Reads opportunities. Deliberately without save methods: opportunities are written only through the outbox. */
public interface OpportunityRepository extends Repository<Opportunity, String> {

    Optional<Opportunity> findById(String id);
}
