/**
 * The learner aggregate and its value types: the {@link org.pathways.learner.domain.Learner} with the consents,
 * milestones, links, merge records and erasure tombstone embedded in it (so that a change and its event are one
 * atomic write), the rules of who may see what of it ({@link org.pathways.learner.domain.Learner#sharingWith}), and
 * {@link org.pathways.learner.domain.Learners}, through which every feature reads a learner. Features (profile,
 * consent, milestone, linking, merging, erasure, ...) depend on this package, never on each other's internals; this
 * package depends on no feature.
 */
package org.pathways.learner.domain;
