package org.pathways.catalogue.search;

import java.time.LocalDate;
import java.util.Set;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.catalogue.opportunity.AccessibilityFeature;
import org.pathways.catalogue.opportunity.OpportunityCatalogue;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class SearchController {

    private final OpportunitySearch search;

    SearchController(OpportunitySearch search) {
        this.search = search;
    }

    /** An empty parameter ({@code ?kind=&level=}) means no filter, as an absent one does. */
    @GetMapping("/api/opportunities")
    SearchResults search(Caller caller,
                         @RequestParam(required = false) @Size(max = 200) String q,
                         @RequestParam(required = false) @Size(max = 100) String locality,
                         @RequestParam(required = false) @DecimalMin("-90") @DecimalMax("90") Double lat,
                         @RequestParam(required = false) @DecimalMin("-180") @DecimalMax("180") Double lon,
                         @RequestParam(required = false) @DecimalMin("0.1") @DecimalMax("500") Double withinKm,
                         @RequestParam(required = false) OpportunityKind kind,
                         @RequestParam(required = false) @Pattern(regexp = "(E[1-3]|L[1-8])?") String level,
                         @RequestParam(required = false) @Pattern(regexp = "([a-z]{2,3})?") String language,
                         @RequestParam(required = false) @Size(max = 10) Set<AccessibilityFeature> accessibility,
                         @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE)
                         LocalDate startsAfter,
                         @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE)
                         LocalDate startsBefore,
                         @RequestParam(defaultValue = "false") boolean hasPlaces,
                         @RequestParam(defaultValue = "false") boolean free,
                         @RequestParam(required = false) @Size(max = 400) String cursor,
                         @RequestParam(required = false) @Min(1) @Max(OpportunityCatalogue.PAGE_SIZE) Integer limit) {
        if ((lat == null) != (lon == null)) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "bad-point", "Give both lat and lon, or neither.");
        }
        SearchCriteria.Point near = lat == null ? null : new SearchCriteria.Point(lat, lon);
        return search.search(new SearchCriteria(blankToNull(q), blankToNull(locality), near,
                withinKm == null ? 10.0 : withinKm, kind, blankToNull(level), blankToNull(language), accessibility,
                startsAfter, startsBefore, hasPlaces, free,
                cursor == null || cursor.isBlank() ? null : SearchCursor.decode(cursor),
                limit == null ? OpportunityCatalogue.PAGE_SIZE : limit));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
