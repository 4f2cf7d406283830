package org.pathways.referral.archive;

import org.pathways.referral.domain.Referral;
import org.springframework.data.annotation.Id;

/** A history entry moved out of its referral: entry {@code index} of the full history (0 is the submission). */
record ArchivedChange(@Id String id, String referralId, int index, Referral.StatusChange change) {
}
