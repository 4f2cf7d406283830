/**
 * The opportunity-catalogue-service owns the opportunities agencies offer (courses, support services, advice),
 * their places and their publication: {@link org.pathways.catalogue.opportunity}.
 */
package org.pathways.catalogue;
