package org.pathways.events.agency;

/** Which part of society an agency belongs to. */
public enum AgencySector {
    PUBLIC, PRIVATE, VOLUNTARY, COMMUNITY
}
