package org.pathways.learner;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.pathways.learner.audit.AuditEntry;
import org.pathways.learner.linkrequest.LinkRequest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.mongodb.core.mapping.event.AbstractMongoEventListener;
import org.springframework.data.mongodb.core.mapping.event.BeforeSaveEvent;

/**
 * Fault injection at the store boundary: a document of one of the kinds below that is about a learner a test named
 * fails to be written, as if the store refused it; everything else is written as usual. Part of the one shared test
 * context ({@link LearnerProfileServiceTest}), so a test names the learners it breaks and heals them after.
 */
@TestConfiguration(proxyBeanMethods = false)
public class StoreFaults {

    /** The kinds of document that can be made to fail, each with the learner it is about. */
    private static final Map<Class<?>, Function<Object, String>> LEARNER_OF = Map.of(
            AuditEntry.class, entry -> ((AuditEntry) entry).learnerId(),
            LinkRequest.class, request -> ((LinkRequest) request).requestingLearnerId());

    private static final Set<Fault> FAILING = ConcurrentHashMap.newKeySet();

    private record Fault(Class<?> kind, String learnerId) {
    }

    /** Until {@link #heal}, no document of {@code kind} about {@code learnerId} can be written. */
    public static void breakFor(Class<?> kind, String learnerId) {
        if (!LEARNER_OF.containsKey(kind)) {
            throw new IllegalArgumentException("No store fault for " + kind.getSimpleName());
        }
        FAILING.add(new Fault(kind, learnerId));
    }

    public static void heal(Class<?> kind, String learnerId) {
        FAILING.remove(new Fault(kind, learnerId));
    }

    @Bean
    AbstractMongoEventListener<Object> failingWrites() {
        return new AbstractMongoEventListener<>() {
            @Override
            public void onBeforeSave(BeforeSaveEvent<Object> event) {
                Object document = event.getSource();
                Function<Object, String> learnerOf = LEARNER_OF.get(document.getClass());
                if (learnerOf != null && FAILING.contains(new Fault(document.getClass(), learnerOf.apply(document)))) {
                    throw new DataAccessResourceFailureException(
                            "Injected: the store refused the " + document.getClass().getSimpleName());
                }
            }
        };
    }
}
