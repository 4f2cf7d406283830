/**
 * Password and client-secret guessing: failed sign-ins are counted per username and per client address, failed
 * client authentications with a secret per client id; past a limit within a window, further attempts are refused
 * without checking the password or secret until the window has passed. Counts live in bounded Caffeine caches.
 */
package org.pathways.identity.guessing;
