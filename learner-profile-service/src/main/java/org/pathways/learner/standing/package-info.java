/**
 * Standing: whether an agency may act for a learner (it registered them, or holds a consent in force to itself or
 * its kind), as opposed to only reading them through a referral it receives. The lead worker, the shared plan and
 * the team view all decide by it, so it is decided in one place.
 */
package org.pathways.learner.standing;
