/**
 * The learner's lead worker (lead professional, care coordinator, link worker): at most one at a time, a worker of
 * an agency with standing. Assigned, handed over (the new lead accepts; until then the old one stays), stepped down
 * from, and ended when the lead's agency loses standing or the learner is erased. One document per learner
 * ({@code learner_leads}), saved with its events through the outbox.
 */
package org.pathways.learner.lead;
