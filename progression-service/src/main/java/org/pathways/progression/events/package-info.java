/** The one consumer of every topic and the projections it feeds. */
package org.pathways.progression.events;
