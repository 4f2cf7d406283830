package org.pathways.notification.email;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.bson.Document;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.mongodb.core.mapping.event.AbstractMongoEventListener;
import org.springframework.data.mongodb.core.mapping.event.AfterDeleteEvent;
import org.springframework.data.mongodb.core.mapping.event.BeforeSaveEvent;

/**
 * Interleaves two writes of one worker's preferences deterministically: what a test puts here runs once, on the
 * writing thread, right before a worker's preferences are saved or right after they are removed, as a second request
 * (another browser tab, a retry) would run in that moment. Part of the one shared test context.
 */
@TestConfiguration(proxyBeanMethods = false)
public class PreferenceWriteHooks {

    private static final Map<String, Runnable> BEFORE_SAVE = new ConcurrentHashMap<>();
    private static final Map<String, Runnable> AFTER_DELETE = new ConcurrentHashMap<>();

    /** Runs {@code meanwhile} once, right before the preferences of {@code userId} at {@code agencyId} are saved. */
    public static void beforeSave(String agencyId, String userId, Runnable meanwhile) {
        BEFORE_SAVE.put(WorkerPreferences.idOf(agencyId, userId), meanwhile);
    }

    /** Runs {@code meanwhile} once, right after the preferences of {@code userId} at {@code agencyId} are removed. */
    public static void afterDelete(String agencyId, String userId, Runnable meanwhile) {
        AFTER_DELETE.put(WorkerPreferences.idOf(agencyId, userId), meanwhile);
    }

    @Bean
    AbstractMongoEventListener<WorkerPreferences> interleavedPreferenceWrites() {
        return new AbstractMongoEventListener<>() {
            @Override
            public void onBeforeSave(BeforeSaveEvent<WorkerPreferences> event) {
                Runnable meanwhile = BEFORE_SAVE.remove(event.getSource().id());
                if (meanwhile != null) {
                    meanwhile.run();
                }
            }

            @Override
            public void onAfterDelete(AfterDeleteEvent<WorkerPreferences> event) {
                Document query = event.getSource();
                Runnable meanwhile = query.get("_id") instanceof String id ? AFTER_DELETE.remove(id) : null;
                if (meanwhile != null) {
                    meanwhile.run();
                }
            }
        };
    }
}
