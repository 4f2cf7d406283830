/**
 * The catalogue of every published type: {@link org.pathways.events.catalogue.EventType} (type name, topic and
 * record of each), the JSON Schemas that check them ({@link org.pathways.events.catalogue.EventSchemas}) and an
 * example of each ({@link org.pathways.events.catalogue.EventExamples}). It lists every producer's records, so it
 * lives apart from the base package they all implement: the base package depends on none of them.
 */
package org.pathways.events.catalogue;
