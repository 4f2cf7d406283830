/** What every service's MongoDB store gets: the guard indexes its guarded writes are served from. */
package org.pathways.platform.store;
