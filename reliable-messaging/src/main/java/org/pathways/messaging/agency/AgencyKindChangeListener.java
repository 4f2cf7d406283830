package org.pathways.messaging.agency;

import org.pathways.events.agency.AgencyKind;

/**
 * Told when an agency already known changes kind (to or from a kind this version does not know, {@code null}), after
 * the change is recorded, within the handling of the agency event: a listener that throws has the event retried, and
 * every listener is told of the change again (the change counts as told only once all of them finished), so a
 * listener must be repeatable.
 * A service declares one as a bean where a kind change has consequences (e.g. the consents for the former kind no
 * longer cover the agency).
 */
@FunctionalInterface
public interface AgencyKindChangeListener {

    void kindChanged(String agencyId, AgencyKind before, AgencyKind after);
}
