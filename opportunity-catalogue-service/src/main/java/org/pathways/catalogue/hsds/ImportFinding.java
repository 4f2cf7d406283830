package org.pathways.catalogue.hsds;

import tools.jackson.databind.JsonNode;

/**
 * Something an import reports about a record (or part of one): the HSDS table it came from, its id if it had a
 * readable one, a stable {@code code} with its fixed {@code reason}, and the HSDS {@code field}s concerned where the
 * code names fields ({@code INVALID_FIELD}, {@code FIELD_DROPPED}, {@code NOT_MAPPED}...). Never an input value, an
 * exception's message or an internal property name.
 */
public record ImportFinding(String table, String id, String code, String field, String reason) {

    static ImportFinding of(String table, JsonNode record, ImportIssue issue, String field) {
        JsonNode id = record == null ? null : record.path("id");
        String readable = id != null && id.isString() && id.asString().length() <= 64 ? id.asString() : null;
        return new ImportFinding(table, readable, issue.name(), field, issue.text);
    }

    static ImportFinding of(String table, JsonNode record, ImportIssue issue) {
        return of(table, record, issue, null);
    }
}
