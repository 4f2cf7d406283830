/**
 * Duplicate detection: whether two people's details are likely the same person (same date of birth and a similar
 * name, allowing for typos, swapped names, accents and nicknames; or the same e-mail or phone number once
 * normalised). Pure functions over text; the profile feature decides what to query and what to answer.
 */
package org.pathways.learner.matching;
