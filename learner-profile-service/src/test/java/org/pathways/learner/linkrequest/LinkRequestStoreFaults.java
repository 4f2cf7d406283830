package org.pathways.learner.linkrequest;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.mongodb.core.mapping.event.AbstractMongoEventListener;
import org.springframework.data.mongodb.core.mapping.event.BeforeSaveEvent;

/**
 * Fault injection at the store boundary: a link request asked for one of the records named here fails to be written,
 * as if the store refused it; everything else is written as usual. Part of the one shared test context.
 */
@TestConfiguration(proxyBeanMethods = false)
public class LinkRequestStoreFaults {

    private static final Set<String> FAILING = ConcurrentHashMap.newKeySet();

    /** Until {@link #heal}, no link request asked for {@code learnerId} can be written. */
    public static void breakFor(String learnerId) {
        FAILING.add(learnerId);
    }

    public static void heal(String learnerId) {
        FAILING.remove(learnerId);
    }

    @Bean
    AbstractMongoEventListener<LinkRequest> failingLinkRequestWrites() {
        return new AbstractMongoEventListener<>() {
            @Override
            public void onBeforeSave(BeforeSaveEvent<LinkRequest> event) {
                if (FAILING.contains(event.getSource().requestingLearnerId())) {
                    throw new DataAccessResourceFailureException("Injected: the store refused the link request");
                }
            }
        };
    }
}
