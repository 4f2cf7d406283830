package org.pathways.referral.archive;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * At start-up, moves the notes and old history still inside referral documents (written before they moved out, or
 * left there by a crash between a move's two writes) into their collections. Idempotent; reads serve both places
 * meanwhile, so it runs beside the service's start and the service is ready before it finishes.
 */
@Component
class ArchiveMigration {

    private static final Logger log = LoggerFactory.getLogger(ArchiveMigration.class);

    private final ReferralArchive archive;

    ArchiveMigration(ReferralArchive archive) {
        this.archive = archive;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        // Beside the service's start, not in its way: a large collection takes a while to scan.
        Thread.ofVirtual().name("referral-archive-migration").start(this::moveWhatOverflows);
    }

    void moveWhatOverflows() {
        try {
            int tidied = archive.tidyAll();
            if (tidied > 0) {
                log.info("Moved the notes and old history of {} referrals out of their documents", tidied);
            }
        } catch (RuntimeException failure) {
            // Nothing is lost: what did not move is still served from the referral, and moves on its next change.
            log.warn("Could not move notes and history out of referral documents at start-up ({})",
                    failure.getClass().getSimpleName());
        }
    }
}
