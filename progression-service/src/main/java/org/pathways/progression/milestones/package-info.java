/** Progression milestones counted by type, learning kind, locality and pathway step. */
package org.pathways.progression.milestones;
