package org.pathways.catalogue.matching;

/** What stands between a learner and taking part. */
public enum Barrier {
    CHILDCARE, MOBILITY, HEARING, LANGUAGE, COST, TRAVEL, DIGITAL_ACCESS
}
