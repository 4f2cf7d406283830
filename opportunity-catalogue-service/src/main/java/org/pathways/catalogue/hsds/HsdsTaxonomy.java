package org.pathways.catalogue.hsds;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The taxonomies under which Pathways' own codes travel in Open Referral attributes (HSDS has no field for an
 * agency's sector, an opportunity's level, who it is free for, the benefits or prior level it requires, whether it
 * keeps a waiting list, or the coarse slots of the week it runs in), and the stable ids of nested HSDS records: a nested record's id is a
 * name-based UUID of what it belongs to, so exporting twice gives the same ids and an import of an export finds
 * the same records.
 */
enum HsdsTaxonomy {
    AGENCY_SECTOR("pathways-agency-sector"),
    AGENCY_KIND("pathways-agency-kind"),
    LOCALITY("pathways-locality"),
    REFERRALS("pathways-referrals"),
    OPPORTUNITY_KIND("pathways-opportunity-kind"),
    LEVEL("pathways-level"),
    MODE("pathways-delivery-mode"),
    ACCESSIBILITY("pathways-accessibility"),
    CAPACITY("pathways-capacity"),
    SUBJECT("pathways-subject"),
    FREE_FOR("pathways-free-for"),
    BENEFIT("pathways-benefit"),
    PRIOR_LEVEL("pathways-prior-level"),
    WAITLIST("pathways-waitlist"),
    /** The weekly slots (weekday daytime, evenings, weekends): categories, not opening hours HSDS could hold. */
    TIME_SLOT("pathways-time-slot");

    final String taxonomy;

    HsdsTaxonomy(String taxonomy) {
        this.taxonomy = taxonomy;
    }

    static HsdsTaxonomy of(String taxonomy) {
        for (HsdsTaxonomy value : values()) {
            if (value.taxonomy.equals(taxonomy)) {
                return value;
            }
        }
        return null;
    }

    static String stableId(String... parts) {
        return UUID.nameUUIDFromBytes(String.join("|", parts).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
