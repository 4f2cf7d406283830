/**
 * Finding a learner: a worker searches, by name, record id or date of birth, among the learners its agency has
 * standing with (registered, consented to it or its kind, or referred to it), each answered and audited as the
 * profile read would answer it.
 */
package org.pathways.learner.search;
