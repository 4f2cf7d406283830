/**
 * Opportunities: a provider drafts one, publishes it (other services then learn of it and may refer to it), revises
 * it, and withdraws or ends it; it fills and reopens as places are taken and released.
 */
package org.pathways.catalogue.opportunity;
