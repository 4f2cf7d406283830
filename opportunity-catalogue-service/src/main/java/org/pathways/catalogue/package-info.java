/**
 * The opportunity-catalogue-service: agencies ({@link org.pathways.catalogue.agency}), the opportunities they offer
 * and their places ({@link org.pathways.catalogue.opportunity}, {@link org.pathways.catalogue.places}), progression
 * routes ({@link org.pathways.catalogue.pathway}), search ({@link org.pathways.catalogue.search}), matching
 * ({@link org.pathways.catalogue.matching}) and Open Referral HSDS 3.0 ({@link org.pathways.catalogue.hsds}).
 */
package org.pathways.catalogue;
