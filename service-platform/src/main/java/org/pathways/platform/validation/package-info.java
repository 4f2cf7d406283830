/**
 * Constraints every service's API shares: {@link org.pathways.platform.validation.ResourceId}, the one format of an
 * id (written out once, not in every request record and controller).
 */
package org.pathways.platform.validation;
