package org.pathways.learner.audit;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.mongodb.core.mapping.event.AbstractMongoEventListener;
import org.springframework.data.mongodb.core.mapping.event.BeforeSaveEvent;

/**
 * Fault injection at the store boundary: the audit entries of the learners named here fail to be written, as if
 * the store refused them; everything else is written as usual. Part of the one shared test context.
 */
@TestConfiguration(proxyBeanMethods = false)
public class AuditStoreFaults {

    private static final Set<String> FAILING = ConcurrentHashMap.newKeySet();

    /** Until {@link #heal}, no audit entry about {@code learnerId} can be written. */
    public static void breakFor(String learnerId) {
        FAILING.add(learnerId);
    }

    public static void heal(String learnerId) {
        FAILING.remove(learnerId);
    }

    @Bean
    AbstractMongoEventListener<AuditEntry> failingAuditWrites() {
        return new AbstractMongoEventListener<>() {
            @Override
            public void onBeforeSave(BeforeSaveEvent<AuditEntry> event) {
                if (FAILING.contains(event.getSource().learnerId())) {
                    throw new DataAccessResourceFailureException("Injected: the audit store refused the write");
                }
            }
        };
    }
}
