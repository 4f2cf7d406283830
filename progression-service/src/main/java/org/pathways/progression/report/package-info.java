/** What every report shares: its window of dates and how it is bucketed. */
package org.pathways.progression.report;
