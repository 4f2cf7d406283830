package org.pathways.progression.events;

import java.util.List;

/**
 * Hears which projections of the live generation an event changed (live updates to coordinators' dashboards, say).
 * Declared here so that the feed does not depend on who listens.
 */
public interface ProjectionListener {

    void changed(List<ProjectionChange> changes);
}
