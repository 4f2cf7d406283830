/**
 * The published language of Pathways: every event a service publishes, as a Java record with a JSON Schema
 * ({@code schemas/<type>.json}) and an entry in the AsyncAPI document ({@code asyncapi.yaml}).
 *
 * <p>Events carry ids, codes, statuses and dates only: never a name, contact detail, date of birth or free text.
 * Consumers use these records; they never copy a producer's class.
 */
package org.pathways.events;
