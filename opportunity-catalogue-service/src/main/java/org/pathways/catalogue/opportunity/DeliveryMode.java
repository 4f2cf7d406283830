package org.pathways.catalogue.opportunity;

/** How an opportunity is delivered. */
public enum DeliveryMode {
    IN_PERSON, ONLINE, BLENDED
}
