package org.pathways.messaging.inbox;

import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.mongodb.MongoDatabaseFactory;
import org.springframework.data.mongodb.MongoTransactionManager;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a handler whose effect spans several documents together with the inbox's done mark in one MongoDB transaction,
 * where the store has transactions (a replica set or a sharded cluster, as in production): the effect and the mark
 * then commit together or not at all, so a crash between them cannot apply the effect twice.
 *
 * <p>Where the store has none (the embedded stand-in, a standalone {@code mongod}), the work runs as before, the
 * effect and then the mark in separate writes, and each such handler relies on its own guards (the event id in the
 * same write as each document's effect, {@link AppliedEvents}, or idempotence by state). Detected once, at start-up,
 * from the server's {@code hello} (or {@code isMaster}) answer.
 */
public class EffectTransactions {

    /** Whether transactions are used where the store has them. */
    public enum Mode { AUTO, NEVER }

    private static final Logger log = LoggerFactory.getLogger(EffectTransactions.class);

    /** Null where the store has no transactions. */
    private final TransactionTemplate transactions;

    private EffectTransactions(TransactionTemplate transactions) {
        this.transactions = transactions;
    }

    /** Never in a transaction. */
    public static EffectTransactions none() {
        return new EffectTransactions(null);
    }

    /** Transactions where {@code mode} allows them and the store behind {@code factory} has them. */
    public static EffectTransactions detect(MongoDatabaseFactory factory, MongoTemplate mongo, Mode mode) {
        if (mode == Mode.NEVER) {
            return none();
        }
        if (!supported(mongo)) {
            log.info("The MongoDB store has no transactions (not a replica set): handlers whose effect spans "
                    + "documents rely on their own per-document guards");
            return none();
        }
        log.info("The MongoDB store has transactions: handlers whose effect spans documents commit it together "
                + "with the inbox's done mark");
        return new EffectTransactions(new TransactionTemplate(new MongoTransactionManager(factory)));
    }

    /** Whether a server answers as a replica-set member or a {@code mongos}: only those run transactions. */
    static boolean supported(MongoTemplate mongo) {
        for (String command : new String[] {"hello", "isMaster"}) {
            try {
                Document answer = mongo.executeCommand(new Document(command, 1));
                return answer.get("setName") != null || "isdbgrid".equals(answer.get("msg"));
            } catch (RuntimeException unknownCommand) {
                // The embedded store does not know "hello": ask the older way.
            }
        }
        return false;
    }

    /** Whether work runs in a transaction here. */
    public boolean available() {
        return transactions != null;
    }

    /** Runs {@code work} in one transaction where the store has them, else as it is. */
    public void run(Runnable work) {
        if (transactions == null) {
            work.run();
        } else {
            transactions.executeWithoutResult(status -> work.run());
        }
    }
}
