/**
 * The team around the learner: in one answer, the agencies working with them (registering, consented, both sides of
 * each open referral), each one's open referrals and plan steps, the latest milestones, the lead, and duplicate
 * efforts; each part only to the agencies allowed to see it. Computed on every read from the consents, the referral
 * read model, the plan and the lead, so a withdrawn consent takes an agency out of the view at once.
 */
package org.pathways.learner.team;
