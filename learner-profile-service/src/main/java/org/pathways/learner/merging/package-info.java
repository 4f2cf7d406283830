/**
 * Merging: folding one record of a person into another record of the same person that the same agency registered;
 * the survivor takes over the other's milestones, achievements, links and consents in force, and the other is
 * retired, read-only, with its history. Records of different agencies are linked (package {@code linking}) instead.
 */
package org.pathways.learner.merging;
