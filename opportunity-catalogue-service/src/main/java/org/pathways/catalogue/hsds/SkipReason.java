package org.pathways.catalogue.hsds;

/**
 * Why an import left a record (or part of one) out: a stable code and a fixed text, never an exception's message, so a
 * report says what to fix in the document and nothing about the catalogue's internals.
 */
enum SkipReason {
    ID_NOT_UUID("id is not a UUID"),
    LINK_ID_NOT_UUID("link_id is not a UUID"),
    UNKNOWN_SERVICE_OR_LOCATION("unknown service or location"),
    UNKNOWN_ORGANIZATION("organization_id names no organization in the document or catalogue"),
    UNKNOWN_STATUS("status is not one of active, inactive, defunct, temporarily closed"),
    NOT_LISTED("an inactive or defunct service is not added to the catalogue"),
    OTHER_PROVIDER("the opportunity belongs to another agency"),
    STATUS_CHANGE_REFUSED("the catalogue refuses this status change: a withdrawn or ended service is final"),
    INVALID_FIELD("a field is missing, too long or out of range"),
    AGE_RANGE("minimum_age is above maximum_age"),
    SCHEDULE_DATES("a schedule's valid_to is before its valid_from"),
    UNREADABLE("the record cannot be read as a catalogue entry"),
    CONTACT_WITHOUT_NAME("a contact without a name"),
    NO_TAXONOMY_TERM("no taxonomy term"),
    TERM_WITHOUT_CODE("a taxonomy term without a code or name"),
    CAPACITY_NOT_A_NUMBER("a capacity that is not a whole number"),
    LOCATION_WITHOUT_CITY("a location without an address city is not a venue"),
    LANGUAGE_CODE("code is not an ISO 639 code"),
    CURRENCY("only GBP costs are understood"),
    MORE_PHONES("only the first phone of an organization, service or contact is kept"),
    SECOND_URL("a virtual location's url other than its service's url is not kept"),
    NOT_MAPPED("the catalogue has no place for these fields (named in field); the rest of the record was imported");

    final String text;

    SkipReason(String text) {
        this.text = text;
    }
}
