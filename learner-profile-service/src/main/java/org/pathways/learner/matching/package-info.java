/**
 * Duplicate detection: whether the person being registered is likely someone already registered (same date of birth
 * and a similar name, allowing for typos, swapped names, accents and nicknames; or the same e-mail or phone number
 * once normalised, {@link org.pathways.learner.domain.ContactKeys}), and the single-use match tokens that stand for a
 * candidate the caller's agency may not see.
 */
package org.pathways.learner.matching;
