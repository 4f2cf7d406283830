/**
 * Consent: recording what a learner agreed to (per agency and purpose), withdrawing it, and answering whether an
 * agency may receive the learner's data for a purpose now.
 */
package org.pathways.learner.consent;
