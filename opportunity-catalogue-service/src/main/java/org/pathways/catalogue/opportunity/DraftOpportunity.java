package org.pathways.catalogue.opportunity;

import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.pathways.catalogue.config.OpenReferralFormat;
import org.pathways.catalogue.agency.AgencyContact;
import org.pathways.events.opportunity.OpportunityKind;

/**
 * What a provider sends to draft (POST) or revise (PUT) an opportunity. {@code level} is a qualification level code
 * (E1..E3 entry, L1..L8) or absent; {@code capacity} absent means places are not limited; {@code costPence} absent
 * or 0 means free of charge, otherwise {@code freeFor} says who does not pay. {@code terms} are subject or taxonomy
 * terms; {@code languages} ISO 639 codes of the languages it is taught in. {@code url}, {@code email}, {@code phone}
 * and {@code contacts} are where to ask about it (the provider's staff, never learners); {@code feesDescription}
 * says in words what it costs. {@code costCurrency} is the ISO 4217 code of a cost in another currency than pounds
 * ({@code costPence} then holds hundredths of that currency); absent (or {@code GBP}) means pounds. Text is trimmed (blank is absent); absent lists are empty.
 */
public record DraftOpportunity(
        @NotBlank @Size(max = 200) String title,
        @Size(max = 4000) String description,
        @NotNull OpportunityKind kind,
        @Pattern(regexp = Opportunity.LEVEL_PATTERN) String level,
        @PositiveOrZero @Max(100_000) Integer capacity,
        @Size(max = 30) List<@NotBlank @Size(max = 60) String> terms,
        DeliveryMode mode,
        @Size(max = 20) List<@Valid @NotNull Venue> venues,
        @Valid Schedule schedule,
        @PositiveOrZero @Max(10_000_000) Integer costPence,
        @Size(max = 10) Set<FreeFor> freeFor,
        @Valid Eligibility eligibility,
        @Size(max = 20) Set<AccessibilityFeature> accessibility,
        @Size(max = 20) Set<@Pattern(regexp = "[a-z]{2,3}") String> languages,
        Boolean waitlistOpen,
        @Size(max = 500) @Pattern(regexp = "https?://[^\\s<>\"]+")
        @OpenReferralFormat(OpenReferralFormat.URI) String url,
        @Email @OpenReferralFormat(OpenReferralFormat.EMAIL) @Size(max = 254) String email,
        @Pattern(regexp = AgencyContact.PHONE_PATTERN) String phone,
        @Size(max = 10) List<@Valid @NotNull AgencyContact> contacts,
        @Size(max = 1000) String feesDescription,
        @Pattern(regexp = "[A-Z]{3}") String costCurrency) {

    public DraftOpportunity {
        title = title == null ? null : title.strip();
        description = description == null ? "" : description.strip();
        level = level == null || level.isBlank() ? null : level.strip();
        terms = terms == null ? List.of() : terms.stream().map(t -> t.strip().toLowerCase(java.util.Locale.ROOT))
                .distinct().toList();
        mode = mode == null ? DeliveryMode.IN_PERSON : mode;
        venues = venues == null ? List.of() : List.copyOf(venues);
        freeFor = freeFor == null ? Set.of() : Set.copyOf(freeFor);
        eligibility = eligibility == null ? Eligibility.anyone() : eligibility;
        accessibility = accessibility == null ? Set.of() : Set.copyOf(accessibility);
        languages = languages == null ? Set.of("en") : Set.copyOf(languages);
        waitlistOpen = Boolean.TRUE.equals(waitlistOpen);
        url = blankToNull(url);
        email = blankToNull(email);
        phone = blankToNull(phone);
        contacts = contacts == null ? List.of() : List.copyOf(contacts);
        feesDescription = blankToNull(feesDescription);
        costCurrency = costCurrency == null || costCurrency.isBlank() || costPence == null ? null
                : costCurrency.strip().toUpperCase(java.util.Locale.ROOT);
        costCurrency = "GBP".equals(costCurrency) ? null : costCurrency;
    }

    /** As before there was a currency: a cost in pence (GBP). */
    public DraftOpportunity(String title, String description, OpportunityKind kind, String level, Integer capacity,
                            List<String> terms, DeliveryMode mode, List<Venue> venues, Schedule schedule,
                            Integer costPence, Set<FreeFor> freeFor, Eligibility eligibility,
                            Set<AccessibilityFeature> accessibility, Set<String> languages, Boolean waitlistOpen,
                            String url, String email, String phone, List<AgencyContact> contacts,
                            String feesDescription) {
        this(title, description, kind, level, capacity, terms, mode, venues, schedule, costPence, freeFor,
                eligibility, accessibility, languages, waitlistOpen, url, email, phone, contacts, feesDescription,
                null);
    }

    /** A draft without contact details or a fees description. */
    public DraftOpportunity(String title, String description, OpportunityKind kind, String level, Integer capacity,
                            List<String> terms, DeliveryMode mode, List<Venue> venues, Schedule schedule,
                            Integer costPence, Set<FreeFor> freeFor, Eligibility eligibility,
                            Set<AccessibilityFeature> accessibility, Set<String> languages, Boolean waitlistOpen) {
        this(title, description, kind, level, capacity, terms, mode, venues, schedule, costPence, freeFor,
                eligibility, accessibility, languages, waitlistOpen, null, null, null, null, null, null);
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    /** The original, minimal draft: everything else at its default. */
    public DraftOpportunity(String title, String description, OpportunityKind kind, String level, Integer capacity) {
        this(title, description, kind, level, capacity, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null);
    }
}
