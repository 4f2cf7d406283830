package org.pathways.notification.subscription;

import java.util.List;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Updates;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Moves every stored webhook secret to the current key of the {@link SecretKeyRing}: those sealed under a previous key
 * after a rotation, and those stored in plain text before secrets were encrypted. It runs when the service starts
 * (before the dispatcher or the API can read a subscription) and then every {@code pathways.webhooks.reseal-interval}
 * under the ShedLock {@code webhook-secret-resealing}, for what an instance still on the old configuration sealed
 * during a rolling restart. Each change is guarded by the value it replaces, so two runs at once, or a rotation at the
 * same moment, never lose a secret. It reads the raw documents, a plain-text secret being no {@link SealedSecret}.
 */
@Component
public class SecretResealing implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(SecretResealing.class);
    private static final List<String> FIELDS = List.of("secret", "previousSecret");

    private final MongoTemplate mongo;
    private final SecretKeyRing keys;

    public SecretResealing(MongoTemplate mongo, SecretKeyRing keys) {
        this.mongo = mongo;
        this.keys = keys;
    }

    @Override
    public void afterPropertiesSet() {
        resealAll();
    }

    @Scheduled(fixedDelayString = "${pathways.webhooks.reseal-interval:1h}",
            initialDelayString = "${pathways.webhooks.reseal-interval:1h}")
    @SchedulerLock(name = "webhook-secret-resealing", lockAtMostFor = "PT10M")
    public void resealPeriodically() {
        try {
            resealAll();
        } catch (RuntimeException e) {
            log.warn("Re-sealing webhook secrets failed, retried at the next interval: {}", e.toString());
        }
    }

    /** Re-seals what is not under the current key; returns how many secrets it moved. */
    public int resealAll() {
        MongoCollection<Document> subscriptions = mongo.getCollection(mongo.getCollectionName(Subscription.class));
        int moved = 0;
        int unopenable = 0;
        for (Document stored : subscriptions.find().projection(Projections.include(FIELDS))) {
            for (String field : FIELDS) {
                Object value = stored.get(field);
                String secret;
                if (value instanceof String plain) {
                    secret = plain;             // stored before secrets were encrypted
                } else if (value instanceof Document document) {
                    SealedSecret sealed = new SealedSecret(document.getString("keyId"), document.getString("value"));
                    if (keys.isCurrent(sealed)) {
                        continue;
                    }
                    if (!keys.canOpen(sealed)) {
                        unopenable++;
                        continue;
                    }
                    secret = keys.open(sealed);
                } else {
                    continue;
                }
                SealedSecret fresh = keys.seal(secret);
                long changed = subscriptions.updateOne(
                        Filters.and(Filters.eq("_id", stored.get("_id")), Filters.eq(field, value)),
                        Updates.set(field, new Document("keyId", fresh.keyId()).append("value", fresh.value())))
                        .getModifiedCount();
                moved += (int) changed;
            }
        }
        if (moved > 0) {
            log.info("Re-sealed {} webhook secrets under the key '{}'", moved, keys.currentKeyId());
        }
        if (unopenable > 0) {
            log.warn("{} webhook secrets are sealed under keys no longer in pathways.webhooks.secret-keys: their"
                    + " deliveries fail until the key is configured again or the secret is rotated", unopenable);
        }
        return moved;
    }
}
