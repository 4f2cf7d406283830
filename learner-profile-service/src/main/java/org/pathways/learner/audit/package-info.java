/**
 * Access audit: every read of a learner's personal data is recorded (who, which agency, when, why, and the request's
 * correlation id) in the {@code audit} collection, and the registering agency can read the trail.
 */
package org.pathways.learner.audit;
