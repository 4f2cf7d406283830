package org.pathways.learner.audit;

import java.util.List;

/** One page of a learner's access trail, oldest first; {@code next} is the cursor of the page after, if any. */
public record AuditPage(List<AuditEntry> entries, AuditCursor next) {
}
