/**
 * Consent: recording what a learner agreed to (per purpose, for one agency or for every agency of one kind),
 * withdrawing it, and answering whether an agency may receive the learner's data for a purpose now, and why.
 */
package org.pathways.learner.consent;
