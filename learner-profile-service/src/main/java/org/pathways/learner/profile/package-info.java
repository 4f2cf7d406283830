/**
 * The learner profile: registration (refused as a possible duplicate unless confirmed, see {@code matching}), the
 * personal details only permitted agencies may read (and only the fields their consent purposes need), and updates
 * under optimistic concurrency ({@code PUT} and {@code PATCH}).
 */
package org.pathways.learner.profile;
