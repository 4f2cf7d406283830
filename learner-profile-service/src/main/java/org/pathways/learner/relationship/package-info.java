/**
 * Live referral relationships: which agencies receive an open referral of a learner, from the referral events, so
 * that they may read the fields a referral needs while it is open (the referring agency gains nothing from it).
 */
package org.pathways.learner.relationship;
