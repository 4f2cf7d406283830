package org.pathways.web.page;

import java.text.Collator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClientException;

import org.pathways.web.api.ApiProblem;
import org.pathways.web.api.PathwaysApi;

/**
 * Names instead of identifiers on every page: an agency's name ("Riverside College", not {@code agency-college})
 * and an opportunity's title. Templates call it as {@code ${@names.agency(id)}} and {@code ${@names.opportunity(id)}}.
 *
 * <p>Both are the catalogue's public records (anyone may read an agency or a published opportunity), so one answer
 * serves everyone: each is kept for a few minutes, and a page of fifty referrals to five agencies asks the catalogue
 * five times, once. A draft's title is not kept (only its provider may read it). When the catalogue cannot say (or
 * the person must sign in again first, which the next page does), the page shows the identifier rather than fail.
 */
@Component("names")
public class Names {

    private static final Logger log = LoggerFactory.getLogger(Names.class);

    private final PathwaysApi api;
    private final Cache<String, Optional<String>> agencies = Caffeine.newBuilder()
            .maximumSize(5_000).expireAfter(foundLongerThanMissing()).build();
    private final Cache<String, Optional<String>> opportunities = Caffeine.newBuilder()
            .maximumSize(20_000).expireAfter(foundLongerThanMissing()).build();
    /** The catalogue's agencies by name, for a minute: every learner page offers them. */
    private final Cache<String, List<Agency>> directory = Caffeine.newBuilder()
            .maximumSize(1).expireAfterWrite(Duration.ofMinutes(1)).build();

    /**
     * A name for 5 minutes; "not there" for 30 seconds only: an agency that has just joined, or a draft published a
     * moment ago, is named soon after, not five minutes later.
     */
    private static Expiry<String, Optional<String>> foundLongerThanMissing() {
        return Expiry.creating((id, name) -> name.isPresent() ? Duration.ofMinutes(5) : Duration.ofSeconds(30));
    }

    Names(PathwaysApi api) {
        this.api = api;
    }

    /** The agency's name, or its identifier when the catalogue does not know it. */
    public String agency(String agencyId) {
        if (agencyId == null || agencyId.isBlank()) {
            return "";
        }
        Optional<String> name = agencies.getIfPresent(agencyId);
        if (name == null) {
            name = read("/api/agencies/{id}", agencyId, "name");
            if (name != null) {
                agencies.put(agencyId, name);
            }
        }
        return name == null ? agencyId : name.orElse(agencyId);
    }

    /** An agency of the partnership, for a list to choose from. */
    public record Agency(String id, String name) {
    }

    /**
     * Every agency in the catalogue (as it lists them: at most 200), by name: what a worker chooses from instead of
     * typing an identifier. Empty when the catalogue cannot be asked (the form then says so).
     */
    public List<Agency> directory() {
        List<Agency> known = directory.getIfPresent("all");
        if (known != null) {
            return known;
        }
        List<Agency> all = new ArrayList<>();
        try {
            for (Map<String, Object> agency : api.list("/api/agencies")) {
                String id = text(agency.get("id"));
                if (id != null) {
                    String name = text(agency.get("name"));
                    agencies.put(id, Optional.ofNullable(name));
                    all.add(new Agency(id, name == null ? id : name));
                }
            }
        } catch (ApiProblem | RestClientException
                 | org.springframework.security.oauth2.client.ClientAuthorizationRequiredException unavailable) {
            log.debug("No agency directory: {}", unavailable.toString());
            return List.of();
        }
        Collator collator = Collator.getInstance(Locale.UK);
        all.sort(Comparator.comparing(Agency::name, collator));
        List<Agency> sorted = List.copyOf(all);
        if (!sorted.isEmpty()) {
            directory.put("all", sorted);
        }
        return sorted;
    }

    /** The opportunity's title, or its identifier when the catalogue does not show it. */
    public String opportunity(String opportunityId) {
        if (opportunityId == null || opportunityId.isBlank()) {
            return "";
        }
        Optional<String> title = opportunities.getIfPresent(opportunityId);
        if (title == null) {
            Map<String, Object> found = fetch("/api/opportunities/{id}", opportunityId);
            title = found == null ? null : Optional.ofNullable(text(found.get("title")));
            if (found != null && !"DRAFT".equals(found.get("status"))) {
                opportunities.put(opportunityId, title);
            }
        }
        return title == null ? opportunityId : title.orElse(opportunityId);
    }

    /** The field, empty when the record is not there; null when the catalogue could not be asked (not kept). */
    private Optional<String> read(String path, String id, String field) {
        Map<String, Object> found = fetch(path, id);
        return found == null ? null : Optional.ofNullable(text(found.get(field)));
    }

    private Map<String, Object> fetch(String path, String id) {
        try {
            return api.get(path, id);
        } catch (ApiProblem.NotFound unknown) {
            return Map.of();
        } catch (ApiProblem | RestClientException
                 | org.springframework.security.oauth2.client.ClientAuthorizationRequiredException unavailable) {
            log.debug("No name for {}: {}", id, unavailable.toString());
            return null;
        }
    }

    private static String text(Object value) {
        return value instanceof String text && !text.isBlank() ? text : null;
    }
}
