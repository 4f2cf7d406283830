package org.pathways.catalogue.hsds;

/**
 * What an import says about a record (or part of one): a stable code and a fixed text, never an exception's message,
 * so a report says what to fix in the feed and nothing about the catalogue's internals. {@link #refuses} tells a
 * refusal (the record was not imported) from a warning (the record was imported, this part of it was not).
 */
enum ImportIssue {
    // Refusals: the record is not imported.
    ID_NOT_UUID(true, "id is not a UUID"),
    UNKNOWN_ORGANIZATION(true, "organization_id names no organization in the feed or catalogue"),
    UNKNOWN_STATUS(true, "status is not one of active, inactive, defunct, temporarily closed"),
    NOT_LISTED(true, "an inactive, temporarily closed or defunct service is not added to the catalogue"),
    OTHER_PROVIDER(true, "the opportunity belongs to another agency"),
    STATUS_CHANGE_REFUSED(true, "the catalogue refuses this status change: a withdrawn or ended service is final"),
    INVALID_FIELD(true, "a required field is missing or not valid (named in field)"),
    UNREADABLE(true, "the record cannot be read as a catalogue entry"),
    NOT_STORED(true, "the store refused this record each time it was tried (e.g. it clashes with one already in the"
            + " catalogue)"),
    STORE_UNCONFIRMED(true, "the store failed while this record was written and never confirmed the write: it may be"
            + " in the catalogue or not; import the feed again to be sure (nothing is imported twice)"),
    NOT_A_RECORD(true, "not recognisable as an HSDS organization, service, service_at_location, location, taxonomy"
            + " or taxonomy term"),
    // Warnings: the record is imported without the part named.
    FIELD_DROPPED(false, "a value the catalogue cannot hold (named in field) was left out; the rest of the record"
            + " was imported"),
    LINK_ID_NOT_UUID(false, "link_id is not a UUID"),
    UNKNOWN_SERVICE_OR_LOCATION(false, "unknown service or location"),
    AGE_RANGE(false, "minimum_age is above maximum_age: neither age is kept"),
    SCHEDULE_DATES(false, "a schedule's valid_to is before its valid_from: the dates are not kept"),
    CONTACT_WITHOUT_NAME(false, "a contact without a name"),
    NO_TAXONOMY_TERM(false, "no taxonomy term"),
    TERM_WITHOUT_CODE(false, "a taxonomy term without a code or name"),
    CAPACITY_NOT_A_NUMBER(false, "a capacity that is not a whole number"),
    LOCATION_WITHOUT_CITY(false, "a location without an address city is not a venue"),
    COORDINATES(false, "latitude/longitude out of range: the venue is kept without coordinates"),
    LANGUAGE_CODE(false, "code is not an ISO 639 code"),
    CURRENCY(false, "currency is not an ISO 4217 code: the cost is not kept"),
    MORE_COSTS(false, "only the first cost option of a service is kept"),
    MORE_PHONES(false, "only the first phone of an organization, service or contact is kept"),
    SECOND_URL(false, "a virtual location's url other than its service's url is not kept"),
    DUPLICATE(false, "a record with this id came earlier in the feed; this one is not read again"),
    NOTHING_TO_IMPORT(false, "a location, taxonomy, taxonomy term or API description on its own is not a catalogue"
            + " entry: it is read with the services that use it"),
    NOT_MAPPED(false, "the catalogue has no place for these fields (named in field); the rest of the record was"
            + " imported"),
    UNKNOWN_CODE(false, "a code these Pathways taxonomies (named in field) do not have was left out; for a kind or"
            + " sector the default applies (opportunity kind ADVICE, agency kind OTHER, sector VOLUNTARY)"),
    NOT_READ(false, "a value that is not the time, date or number the standard asks for (named in field) was left"
            + " out; a weekly rule whose opening time cannot be read gives no weekday slot");

    final boolean refuses;
    final String text;

    ImportIssue(boolean refuses, String text) {
        this.refuses = refuses;
        this.text = text;
    }
}
