package org.pathways.catalogue.search;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.validation.ResourceId;
import org.springframework.http.HttpStatus;

/**
 * Where a page of results ended: the sort values of its last item (relevance score when there is text, distance in
 * metres when there is a point, then publication time and id, which make every key unique). The next page is
 * everything after it ({@code searchAfter}), so pages never repeat or skip even as scores tie. Opaque to clients;
 * one that is not ours, or not for this kind of query, is {@code 400 bad-cursor}.
 */
public record SearchCursor(Float score, Double distanceMetres, long publishedAtMillis, String id) {

    String encode() {
        String text = "v2|" + (score == null ? "" : Float.toString(score)) + "|"
                + (distanceMetres == null ? "" : Double.toString(distanceMetres)) + "|" + publishedAtMillis + "|" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static SearchCursor decode(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)
                    .split("\\|", 5);
            if (parts.length != 5 || !parts[0].equals("v2") || !parts[4].matches(ResourceId.PATTERN)) {
                throw new IllegalArgumentException("cursor");
            }
            Float score = parts[1].isEmpty() ? null : Float.valueOf(parts[1]);
            Double distance = parts[2].isEmpty() ? null : Double.valueOf(parts[2]);
            if ((score != null && !Float.isFinite(score)) || (distance != null && !Double.isFinite(distance))) {
                throw new IllegalArgumentException("cursor");
            }
            return new SearchCursor(score, distance, Long.parseLong(parts[3]), parts[4]);
        } catch (IllegalArgumentException e) {
            throw badCursor();
        }
    }

    static ProblemException badCursor() {
        return new ProblemException(HttpStatus.BAD_REQUEST, "bad-cursor", "The cursor is not one this API gave.");
    }
}
