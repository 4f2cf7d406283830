package org.pathways.learner.domain;

import java.time.Instant;
import java.util.List;

/** A learner one agency may see now, with what it may see and why ({@link Sharing#grounds()}, for the audit). */
public record Access(Learner learner, Viewer viewer, Sharing sharing) {

    public List<String> grounds() {
        return sharing.grounds();
    }
}
