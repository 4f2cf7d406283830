/**
 * Progression milestones: the timeline of a learner's steps (first contact to into work), recorded by workers and
 * automatically from referral events (accepted, started, completed).
 */
package org.pathways.learner.milestone;
