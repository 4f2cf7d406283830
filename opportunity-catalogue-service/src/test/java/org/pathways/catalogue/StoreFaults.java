package org.pathways.catalogue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.mongodb.MongoDatabaseFactory;

/**
 * Fault injection at the store boundary, for the one shared test context: while broken, every command that a thread
 * of the given name sends to the given collection fails as the driver fails it when the store does not answer
 * ({@link MongoTimeoutException}), for the given number of commands or until {@link #heal}. Every other thread and
 * collection is served as usual. It wraps the {@link MongoDatabaseFactory} the templates and repositories use, so the
 * failure travels through the same exception translation as a real one.
 */
@TestConfiguration(proxyBeanMethods = false)
public class StoreFaults {

    /** The collection commands that change what the store holds (a lost acknowledgement leaves the change made). */
    private static final Set<String> WRITES = Set.of("insertOne", "insertMany", "updateOne", "updateMany",
            "replaceOne", "deleteOne", "deleteMany", "findOneAndUpdate", "findOneAndReplace", "findOneAndDelete",
            "bulkWrite");

    private static volatile String thread;
    private static volatile String collection;
    /** Whether the chosen commands are writes that land before they fail, rather than any command not sent. */
    private static volatile boolean landing;
    /** Whether, once the chosen write has landed and failed, every later command fails until {@link #heal}. */
    private static volatile boolean thenDown;
    private static final AtomicInteger REMAINING = new AtomicInteger();
    private static final AtomicInteger INJECTED = new AtomicInteger();

    /** The next {@code commands} commands of {@code threadName} on {@code collectionName} fail. */
    public static void failNext(String threadName, String collectionName, int commands) {
        choose(threadName, collectionName, commands, false);
    }

    /**
     * The next {@code writes} write commands of {@code threadName} on {@code collectionName} are applied, and then fail
     * as when the acknowledgement is lost ({@link MongoSocketReadTimeoutException}); its reads are served as usual.
     */
    public static void landThenFailNext(String threadName, String collectionName, int writes) {
        choose(threadName, collectionName, writes, true);
    }

    /**
     * The next write of {@code threadName} on {@code collectionName} lands and fails as {@link #landThenFailNext}
     * does, and then the store stays down for it: every later command fails (as {@link #breakFor}) until
     * {@link #heal}.
     */
    public static void landThenBreakFor(String threadName, String collectionName) {
        choose(threadName, collectionName, 1, true);
        thenDown = true;
    }

    private static void choose(String threadName, String collectionName, int commands, boolean afterWriting) {
        INJECTED.set(0);
        thenDown = false;
        landing = afterWriting;
        collection = collectionName;
        thread = threadName;
        REMAINING.set(commands);
    }

    /** Every command of {@code threadName} on {@code collectionName} fails until {@link #heal}. */
    public static void breakFor(String threadName, String collectionName) {
        failNext(threadName, collectionName, Integer.MAX_VALUE);
    }

    public static void heal() {
        REMAINING.set(0);
        landing = false;
        thenDown = false;
        thread = null;
        collection = null;
    }

    /** How many commands failed since the last {@link #failNext} / {@link #breakFor} / {@link #landThenFailNext}. */
    public static int injected() {
        return INJECTED.get();
    }

    private static boolean chosen(String name) {
        if (name.equals(collection) && Thread.currentThread().getName().equals(thread)
                && REMAINING.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            INJECTED.incrementAndGet();
            return true;
        }
        return false;
    }

    @Bean
    static BeanPostProcessor faultyStore() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof MongoDatabaseFactory factory ? proxy(MongoDatabaseFactory.class, factory) : bean;
            }
        };
    }

    /** Wraps every database and collection handed out, down to the collection's commands. */
    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T target) {
        InvocationHandler handler = (self, method, args) -> {
            boolean command = target instanceof MongoCollection<?> && !method.getName().startsWith("get")
                    && !method.getName().startsWith("with");
            String name = command ? ((MongoCollection<?>) target).getNamespace().getCollectionName() : null;
            if (command && !landing && chosen(name)) {
                throw new MongoTimeoutException("Injected: the store did not answer");
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (command && landing && WRITES.contains(method.getName()) && chosen(name)) {
                if (thenDown) {
                    landing = false;
                    REMAINING.set(Integer.MAX_VALUE);
                }
                throw new MongoSocketReadTimeoutException("Injected: the write landed, its acknowledgement did not",
                        new ServerAddress(), new java.net.SocketTimeoutException());
            }
            if (result instanceof MongoCollection<?> handed) {
                return proxy(MongoCollection.class, handed);
            }
            if (result instanceof MongoDatabase handed) {
                return proxy(MongoDatabase.class, handed);
            }
            if (result instanceof MongoDatabaseFactory handed && handed != target) {
                return proxy(MongoDatabaseFactory.class, handed);
            }
            return result;
        };
        return (T) Proxy.newProxyInstance(StoreFaults.class.getClassLoader(), new Class<?>[] {type}, handler);
    }
}
