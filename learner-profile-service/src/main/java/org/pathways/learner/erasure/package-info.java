/**
 * Erasure: the right to erasure, exercised through a worker of the registering agency. The learner (and every record
 * merged into it) keeps only a pseudonymous tombstone, and each feature that keeps something about learners forgets
 * it too ({@link org.pathways.learner.erasure.ErasureStep}).
 */
package org.pathways.learner.erasure;
