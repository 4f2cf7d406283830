/**
 * The read-only HL7 FHIR R4 face of referrals, for health partners' systems: each referral an agency is party to as
 * a {@code ServiceRequest} with its {@code Task}, following the Gravity SDOH Clinical Care closed-loop referral
 * pattern ({@code Task.focus} is the ServiceRequest, {@code Task.status} our lifecycle in FHIR's Task codes). Same
 * standing as the referral API: a referral the caller's agency is not party to is a FHIR 404, exactly like one that
 * does not exist. Errors are {@code OperationOutcome}s, never HTML nor problem details.
 */
package org.pathways.referral.fhir;
