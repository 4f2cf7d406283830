package org.pathways.notification.inapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.notification.config.NotificationProperties;
import org.pathways.notification.notice.Notice;
import org.pathways.notification.notice.NoticeKind;
import org.pathways.testing.SharedInfrastructure;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/**
 * The notices a batch holds back stay held when their write fails (the store down for a moment), so that the batch's
 * next completion writes them: the inbox completes a batch once before an erasure in it and again at its end, and
 * marks done the events handled before the erasure once the end's completion succeeded.
 */
class HeldNoticesTest {

    private static MongoClient client;

    @BeforeAll
    static void connect() {
        client = MongoClients.create(SharedInfrastructure.mongoUri());
    }

    @AfterAll
    static void disconnect() {
        client.close();
    }

    /** A store whose next bulk write fails, as while it is down. */
    private static final class FailingOnce extends MongoTemplate {
        final AtomicBoolean failNext = new AtomicBoolean();

        FailingOnce() {
            super(client, "held-notices-test");
        }

        @Override
        public BulkOperations bulkOps(BulkOperations.BulkMode mode, Class<?> entityClass) {
            if (failNext.getAndSet(false)) {
                throw new DataAccessResourceFailureException("the store is down");
            }
            return super.bulkOps(mode, entityClass);
        }
    }

    @Test
    void aNoticeWhoseWriteFailedIsWrittenByTheBatchsNextCompletion() {
        FailingOnce store = new FailingOnce();
        WorkerInbox inbox = new WorkerInbox(store, new NotificationProperties("partnership", "http://localhost:8080",
                "pathways@localhost", Duration.ofSeconds(1), Duration.ofSeconds(60)), Clock.systemUTC());
        String agency = "agency-held-" + UUID.randomUUID();
        String eventId = UUID.randomUUID().toString();

        inbox.beginBatch();
        try {
            inbox.add(new Notice(NoticeKind.REFERRAL_ARRIVED, agency, eventId, "ref-" + UUID.randomUUID(),
                    Instant.now(), null));
            store.failNext.set(true);
            assertThatThrownBy(() -> inbox.takeBatch().run()).isInstanceOf(DataAccessResourceFailureException.class);
            assertThat(noticesOf(store, agency)).as("nothing written by the failed completion").isZero();

            inbox.takeBatch().run();
        } finally {
            inbox.endBatch();
        }

        assertThat(noticesOf(store, agency)).as("written by the next completion, once").isEqualTo(1);
    }

    private static long noticesOf(MongoTemplate store, String agency) {
        return store.count(Query.query(Criteria.where("agencyId").is(agency)), InAppNotification.class);
    }
}
