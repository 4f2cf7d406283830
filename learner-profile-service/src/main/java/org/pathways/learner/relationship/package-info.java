/**
 * Live referral relationships: which agencies have an open referral of a learner (as referrer or receiver), from the
 * referral events, so that they may read the fields a referral needs while it is open.
 */
package org.pathways.learner.relationship;
