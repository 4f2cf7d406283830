/**
 * The learner's shared plan: their goals (from the profile) and the agreed next steps, each owned by an agency, with
 * a due date and a status ({@code PLANNED}, {@code DOING}, {@code DONE}, {@code DROPPED}), linked where relevant to a
 * referral or an opportunity. One document per learner ({@code learner_plans}), versioned for {@code If-Match}, saved
 * with its events through the outbox; a scheduled check raises {@code plan-step-overdue} once per step and due date.
 */
package org.pathways.learner.plan;
