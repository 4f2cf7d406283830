/**
 * The referral funnel and response times: one small projection per referral (its furthest stage, the first time it
 * reached each, its outcome codes and SLA breaches; no learner id), from which reports are counted on request.
 */
package org.pathways.progression.funnel;
