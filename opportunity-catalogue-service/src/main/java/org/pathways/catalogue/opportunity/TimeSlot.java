package org.pathways.catalogue.opportunity;

/** When in the week sessions run, or when a learner is free. */
public enum TimeSlot {
    WEEKDAY_DAYTIME, WEEKDAY_EVENING, WEEKEND
}
