/**
 * What every service's (and the gateway's) HTTP edge does with hostile requests before any feature sees them: a
 * malformed query string is a 400, a body over the limit is a 413 whatever its transfer encoding, and every error
 * Tomcat, Spring Security's firewall or the servlet error page answers is RFC 9457 problem details, never an HTML
 * page or a 500.
 */
package org.pathways.platform.http;
