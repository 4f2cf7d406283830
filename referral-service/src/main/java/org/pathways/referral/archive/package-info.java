/**
 * Keeps every referral document small however long the referral lives: its notes and the middle of its history move
 * out into collections of their own ({@code referral_notes}, {@code referral_history}), one document per note or
 * entry, keyed by {@code _id} = referral id + ":" + a zero-padded number, so that a page of them is read by
 * {@code _id $in} (served by the {@code _id} index on every store, the embedded stand-in included). Depends only on
 * the aggregate.
 */
package org.pathways.referral.archive;
