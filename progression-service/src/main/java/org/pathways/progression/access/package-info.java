/** Who sees which figures: the whole partnership for coordinators, their own flows for agency workers. */
package org.pathways.progression.access;
