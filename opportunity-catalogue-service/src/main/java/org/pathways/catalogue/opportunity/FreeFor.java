package org.pathways.catalogue.opportunity;

/** Who an opportunity that otherwise costs is free for. */
public enum FreeFor {
    UNDER_19, UNEMPLOYED, ON_BENEFITS, LOW_INCOME, CARE_LEAVERS, OVER_60, CARERS
}
