/** How long the service keeps what it holds about events, and the scheduled purge that enforces it. */
package org.pathways.notification.retention;
