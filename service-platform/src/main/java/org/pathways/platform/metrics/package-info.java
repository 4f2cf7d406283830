/**
 * Metrics for Prometheus: {@code /actuator/prometheus} open on the separate management port ({@code MANAGEMENT_PORT},
 * which the gateway never routes) and served to no one on the service port. See docs/deploy.md.
 */
package org.pathways.platform.metrics;
