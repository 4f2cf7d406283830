/**
 * What every Pathways service's HTTP edge shares: JWT authentication with the caller's agency and roles
 * ({@link org.pathways.platform.security}), and RFC 9457 problem details for every error
 * ({@link org.pathways.platform.problem}), and an OpenAPI document of the service's API at {@code /v3/api-docs}
 * ({@link org.pathways.platform.openapi}), and what a hostile request meets first: malformed URLs are 400s, bodies
over the limit 413s, and every error Tomcat or Spring Security answers is problem details
({@link org.pathways.platform.http}). Services (and the gateway) get all of it by depending on this module.
 */
package org.pathways.platform;
