package org.pathways.catalogue.hsds;

import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads an HSDS JSON document as it arrives: the records of a page ({@code contents}) one at a time, each handed to
 * the feed and then to {@code afterRecord} (which stages what was read), so the memory an import takes does not grow
 * with its document. What is not a page (one record, or tables whose rows are joined by their keys) is read whole,
 * as {@link HsdsFeed#fromJson} reads it; the caller bounds how much of it may be held ({@link ImportAdmission}).
 * The forms, and what each means, are {@link HsdsFeed}'s.
 */
final class HsdsJsonStream {

    private HsdsJsonStream() {
    }

    static void read(JsonParser parser, String type, HsdsFeed.Builder feed, Runnable afterRecord) {
        try {
            if (parser.nextToken() == null) {
                throw malformed();
            }
            if (!parser.isExpectedStartObjectToken()) {
                throw new ProblemException(HttpStatus.BAD_REQUEST, "not-hsds", "An HSDS document is a JSON object.");
            }
            ObjectNode rest = JsonNodeFactory.instance.objectNode();
            boolean page = false;
            for (String name = parser.nextName(); name != null; name = parser.nextName()) {
                JsonToken value = parser.nextToken();
                if (page) {
                    parser.skipChildren(); // a page's other fields (its totals) say nothing about its records
                } else if ("contents".equals(name) && value == JsonToken.START_ARRAY) {
                    page = true;
                    int records = 0;
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        if (++records > HsdsFeed.MAX_RECORDS) {
                            throw new ProblemException(HttpStatus.BAD_REQUEST, "too-large",
                                    "At most " + HsdsFeed.MAX_RECORDS + " contents per import.");
                        }
                        JsonNode record = parser.readValueAsTree();
                        feed.record(record, type);
                        afterRecord.run();
                    }
                } else {
                    rest.set(name, parser.readValueAsTree());
                }
            }
            if (parser.nextToken() != null) {
                throw malformed();
            }
            if (!page) {
                feed.document(rest, type);
                afterRecord.run();
            }
        } catch (JacksonException e) {
            // Not JSON, not readable, or past the parser's limits (StreamConstraintsException: nesting deeper than
            // 500, a number of more than 1000 digits, a name of more than 50,000 characters): the caller's document.
            throw malformed();
        }
    }

    private static ProblemException malformed() {
        return new ProblemException(HttpStatus.BAD_REQUEST, "malformed-request",
                "The request body is not valid JSON for this endpoint.");
    }
}
