/**
 * What every Pathways service's HTTP edge shares: JWT authentication with the caller's agency and roles
 * ({@link org.pathways.platform.security}), and RFC 9457 problem details for every error
 * ({@link org.pathways.platform.problem}), and an OpenAPI document of the service's API at {@code /v3/api-docs}
 * ({@link org.pathways.platform.openapi}). Services get all three by depending on this module.
 */
package org.pathways.platform;
