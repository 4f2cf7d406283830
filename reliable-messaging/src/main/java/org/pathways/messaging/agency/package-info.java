/**
 * The one read model of agency kinds ({@link org.pathways.messaging.agency.AgencyKinds}), kept from the catalogue's
 * agency events by every service that binds them ({@code agencyEvents-in-0}). One rule for a kind this version does
 * not know: a tolerant reader keeps the event and records the agency with its kind unknown.
 */
package org.pathways.messaging.agency;
