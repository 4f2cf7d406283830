package org.pathways.referral.archive;

import org.pathways.referral.domain.Referral;
import org.springframework.data.annotation.Id;

/** A note moved out of its referral: number {@code seq} (from 1) of the referral's thread. */
record ArchivedNote(@Id String id, String referralId, int seq, Referral.Note note) {
}
