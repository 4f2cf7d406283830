/**
 * Opportunities: a provider drafts one, publishes it (other services then learn of it and may refer to it) and
 * withdraws it; any agency searches what is published.
 */
package org.pathways.catalogue.opportunity;
