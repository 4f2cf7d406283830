/**
 * Linking: a worker's statement that two records are the same person, written into both records (with a
 * {@code learner.linked} event on each), never merging them and opening neither to anyone. Link requests (package
 * {@code linkrequest}) ask another agency to link a record the caller may not see.
 */
package org.pathways.learner.linking;
