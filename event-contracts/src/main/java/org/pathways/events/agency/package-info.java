/** Events of the agency aggregate, owned by the opportunity-catalogue-service. */
package org.pathways.events.agency;
