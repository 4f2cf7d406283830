/**
 * The learner's shared plan: their goals (from the profile) and the agreed next steps, each owned by an agency, with
 * a due date and a status ({@code PLANNED}, {@code DOING}, {@code DONE}, {@code DROPPED}), linked where relevant to a
 * referral or an opportunity. One document per learner ({@code learner_plans}), versioned for {@code If-Match}, saved
 * with its events through the outbox; a scheduled check raises {@code plan-step-overdue} once per step and due date,
 * and another hands the open steps of an owner that left the learner's team back to the registering agency.
 */
package org.pathways.learner.plan;
