package org.pathways.catalogue.hsds;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.pathways.catalogue.agency.Agency;
import org.pathways.catalogue.agency.AgencyDirectory;
import org.pathways.catalogue.hsds.HsdsMapper.AgencyEntry;
import org.pathways.catalogue.hsds.HsdsMapper.Mapped;
import org.pathways.catalogue.hsds.HsdsMapper.OpportunityEntry;
import org.pathways.catalogue.hsds.ImportProgress.Outcome;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityRepository;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.events.PathwaysEvent;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

/**
 * Applies mapped HSDS records to the catalogue: organizations become agencies (matched on their HSDS id), services
 * opportunities (id {@code opp-<service id>}), each saved through the outbox with its events. Idempotent: a record
 * whose mapped details equal what the catalogue holds is left alone (no write, no event), so importing the same feed
 * again, or resuming a job that stopped half-way, changes nothing twice. The mapping is {@link HsdsMapper}'s.
 *
 * <p>Each write is announced to a {@link BeforeWrite} with what it does, before it is sent: when the store then fails,
 * the write may have landed all the same (its acknowledgement lost), and a try again finds nothing left to do; the
 * caller that tries again counts the record as what that write did ({@link Outcome#afterWriteInDoubt}).
 */
@Service
class HsdsImport {

    /** The synchronous import takes at most this many organizations plus services; larger feeds go to a job. */
    static final int MAX_SYNCHRONOUS_RECORDS = 5_000;
    static final String IMPORTER = "hsds-import";

    /** Told what a record's write does (create or update) just before it is sent to the store. */
    @FunctionalInterface
    interface BeforeWrite {
        BeforeWrite UNWATCHED = outcome -> { };

        void sending(Outcome outcome);
    }

    private final HsdsMapper mapper;
    private final AgencyDirectory agencies;
    private final OpportunityRepository opportunities;
    private final Outbox outbox;
    private final Clock clock;

    HsdsImport(HsdsMapper mapper, AgencyDirectory agencies, OpportunityRepository opportunities, Outbox outbox,
               Clock clock) {
        this.mapper = mapper;
        this.agencies = agencies;
        this.opportunities = opportunities;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** Imports a small feed within the request. */
    ImportReport importNow(HsdsFeed feed) {
        if (feed.size() > MAX_SYNCHRONOUS_RECORDS) {
            throw new ProblemException(org.springframework.http.HttpStatus.BAD_REQUEST, "too-large",
                    "At most " + MAX_SYNCHRONOUS_RECORDS + " organizations and services in one request; "
                            + "POST larger feeds to /api/hsds/imports, which imports them as a job.");
        }
        ImportProgress progress = new ImportProgress();
        progress.note(feed.findings());
        Map<String, Agency> providers = new java.util.HashMap<>();
        for (JsonNode organization : feed.organizations()) {
            List<ImportFinding> findings = new ArrayList<>();
            progress.organization(organization(organization, findings, providers, BeforeWrite.UNWATCHED), findings);
        }
        for (JsonNode service : feed.services()) {
            List<ImportFinding> findings = new ArrayList<>();
            progress.service(service(service, findings, providers, BeforeWrite.UNWATCHED), findings);
        }
        return progress.report();
    }

    /** Maps and applies one organization; {@code providers} remembers the agency for its services. */
    Outcome organization(JsonNode organization, List<ImportFinding> findings, Map<String, Agency> providers,
                         BeforeWrite writes) {
        Mapped<AgencyEntry> mapped = mapper.agency(organization);
        findings.addAll(mapped.findings());
        if (mapped.refused()) {
            return Outcome.REFUSED;
        }
        AgencyEntry entry = mapped.value();
        Optional<Agency> known = agencies.findByHsdsId(entry.hsdsId());
        if (known.isEmpty()) {
            writes.sending(Outcome.CREATED);
            providers.put(entry.hsdsId(), agencies.importNew(entry.hsdsId(), entry.details()));
            return Outcome.CREATED;
        }
        if (!known.get().differsFrom(entry.details()) || organization.has(HsdsFeed.SUMMARY)) {
            providers.put(entry.hsdsId(), known.get());
            return Outcome.UNCHANGED;
        }
        writes.sending(Outcome.UPDATED);
        providers.put(entry.hsdsId(), agencies.importRevision(known.get(), entry.details()));
        return Outcome.UPDATED;
    }

    /** Maps and applies one service of an organization in {@code providers} or the catalogue. */
    Outcome service(JsonNode service, List<ImportFinding> findings, Map<String, Agency> providers,
                    BeforeWrite writes) {
        Mapped<OpportunityEntry> mapped = mapper.opportunity(service);
        findings.addAll(mapped.findings());
        if (mapped.refused()) {
            return Outcome.REFUSED;
        }
        OpportunityEntry entry = mapped.value();
        Agency provider = providers.get(entry.organizationId());
        if (provider == null) {
            provider = agencies.findByHsdsId(entry.organizationId()).orElse(null);
        }
        if (provider == null) {
            return refuse(findings, service, ImportIssue.UNKNOWN_ORGANIZATION);
        }
        providers.putIfAbsent(entry.organizationId(), provider);
        String id = "opp-" + entry.serviceId();
        Optional<Opportunity> known = opportunities.findById(id);
        List<PathwaysEvent> events = new ArrayList<>();
        if (known.isEmpty()) {
            if (entry.status() != OpportunityStatus.PUBLISHED) {
                return refuse(findings, service, ImportIssue.NOT_LISTED);
            }
            Opportunity created = Opportunity.draft(id, entry.details(), provider.id(), IMPORTER, clock.instant());
            events.add(created.publish(clock.instant()));
            writes.sending(Outcome.CREATED);
            outbox.save(created, events);
            return Outcome.CREATED;
        }
        Opportunity opportunity = known.get();
        if (!opportunity.isProvidedBy(provider.id())) {
            return refuse(findings, service, ImportIssue.OTHER_PROVIDER);
        }
        boolean sameDetails = opportunity.details().equals(entry.details());
        boolean sameStatus = switch (entry.status()) {
            case PUBLISHED -> opportunity.status().isListed();
            // Taking no referrals, as the source says: closed for now, or withdrawn for good by its provider here.
            case TEMPORARILY_CLOSED -> opportunity.status() == OpportunityStatus.TEMPORARILY_CLOSED
                    || opportunity.status() == OpportunityStatus.WITHDRAWN;
            default -> opportunity.status() == entry.status();
        };
        if (sameDetails && sameStatus) {
            return Outcome.UNCHANGED;
        }
        try {
            if (!sameDetails) {
                opportunity.revise(entry.details(), clock.instant()).ifPresent(events::add);
            }
            if (!sameStatus) {
                switch (entry.status()) {
                    case PUBLISHED -> events.add(opportunity.status() == OpportunityStatus.TEMPORARILY_CLOSED
                            ? opportunity.reopen(clock.instant()) : opportunity.publish(clock.instant()));
                    case TEMPORARILY_CLOSED -> events.add(opportunity.closeTemporarily(clock.instant()));
                    case ENDED -> events.add(opportunity.end(clock.instant()));
                    default -> throw new IllegalStateException();
                }
            }
        } catch (ProblemException refused) {
            return refuse(findings, service, ImportIssue.STATUS_CHANGE_REFUSED);
        }
        writes.sending(Outcome.UPDATED);
        outbox.save(opportunity, events);
        return Outcome.UPDATED;
    }

    private static Outcome refuse(List<ImportFinding> findings, JsonNode service, ImportIssue issue) {
        findings.add(ImportFinding.of("services", service, issue));
        return Outcome.REFUSED;
    }
}
