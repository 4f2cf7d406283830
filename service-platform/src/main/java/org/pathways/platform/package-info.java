/**
 * What every Pathways service's HTTP edge shares: JWT authentication with the caller's agency and roles
 * ({@link org.pathways.platform.security}), and RFC 9457 problem details for every error
 * ({@link org.pathways.platform.problem}). Services get both by depending on this module.
 */
package org.pathways.platform;
