/**
 * Rebuilding every projection by replaying the topics from the beginning into a fresh generation of collections,
 * switching the live figures over once it has caught up.
 */
package org.pathways.progression.rebuild;
