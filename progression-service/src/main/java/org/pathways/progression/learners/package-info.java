/**
 * The one place this service keeps a learner id: each learner's locality code and the first date they achieved each
 * kind of learning, erased with the learner; and the moves from informal to non-formal to formal learning.
 */
package org.pathways.progression.learners;
