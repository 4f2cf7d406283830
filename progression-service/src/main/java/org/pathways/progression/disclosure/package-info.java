/**
 * Statistical disclosure control: how counts and the figures drawn from them are shown so that no figure singles a
 * person out ({@link org.pathways.progression.disclosure.ReportedCount}). Every report, summary and live update goes
 * through it.
 */
package org.pathways.progression.disclosure;
