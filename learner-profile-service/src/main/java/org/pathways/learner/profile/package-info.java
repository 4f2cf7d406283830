/**
 * The learner aggregate: registration (with duplicate detection), the personal details only permitted agencies may
 * read (and only the fields their consent purposes need), updates under optimistic concurrency, links and explicit
 * merges between records of one person, erasure, and the consents and milestones embedded in it (so that a change
 * and its event are one atomic write).
 */
package org.pathways.learner.profile;
