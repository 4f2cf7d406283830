/** Live updates to dashboards over Server-Sent Events: which projections changed, counts only. */
package org.pathways.progression.live;
