/**
 * Agencies as this service needs to know them: each agency's kind, from the catalogue's agency events, to resolve
 * consents given to every agency of one kind.
 */
package org.pathways.learner.agency;
