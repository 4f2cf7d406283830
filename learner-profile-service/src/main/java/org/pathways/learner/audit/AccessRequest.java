package org.pathways.learner.audit;

/**
 * Why the caller is reading and the request's correlation id, from the {@code X-Access-Purpose} and
 * {@code X-Correlation-Id} headers; a controller takes it as a parameter like {@code Caller}.
 */
public record AccessRequest(AccessPurpose purpose, String correlationId) {
}
