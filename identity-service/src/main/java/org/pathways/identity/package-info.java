/**
 * The platform's OAuth2 / OpenID Connect token issuer, built on Spring Authorization Server: who the partnership's
 * people and agency systems are (a directory read from configuration), how they sign in (client credentials for
 * agency systems, authorization code with PKCE for people), and the RS256-signed access tokens carrying the
 * {@code agency} and {@code roles} claims every service checks for itself.
 */
package org.pathways.identity;
