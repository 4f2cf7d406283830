/**
 * The Pathways web app: pages for workers, receiving and referring agencies, agency admins and coordinators. It owns
 * no data; it signs people in with the platform's OpenID Connect issuer (authorization code with PKCE), keeps their
 * tokens on the server (an HTTP-only session cookie is all the browser holds), and calls the API through the
 * gateway with the signed-in person's access token, so every page shows exactly what the API lets that person see.
 */
package org.pathways.web;
