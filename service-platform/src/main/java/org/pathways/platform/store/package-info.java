/**
 * What every service's MongoDB store gets: the guard indexes its guarded writes are served from
 * ({@link org.pathways.platform.store.GuardIndexes}), and the one-off work a service does to its store at start, done
 * once per store and noted by name ({@link org.pathways.platform.store.Migrations}).
 */
package org.pathways.platform.store;
