/** The audit trail: who wrote what, and who read personal data, when, for which agency, under which correlation id. */
package org.pathways.platform.audit;
