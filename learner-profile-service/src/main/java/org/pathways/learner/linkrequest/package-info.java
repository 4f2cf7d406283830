/**
 * Link requests: how a worker who was told that a person may already be registered at an agency whose record they
 * may not see asks that agency to link the two records, without learning anything of that record. The owning
 * agency's workers list incoming requests and accept (which links the records both ways) or decline.
 */
package org.pathways.learner.linkrequest;
