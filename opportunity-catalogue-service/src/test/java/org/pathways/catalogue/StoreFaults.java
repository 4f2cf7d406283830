package org.pathways.catalogue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.MongoTimeoutException;
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

    private static volatile String thread;
    private static volatile String collection;
    private static final AtomicInteger REMAINING = new AtomicInteger();
    private static final AtomicInteger INJECTED = new AtomicInteger();

    /** The next {@code commands} commands of {@code threadName} on {@code collectionName} fail. */
    public static void failNext(String threadName, String collectionName, int commands) {
        INJECTED.set(0);
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
        thread = null;
        collection = null;
    }

    /** How many commands failed since the last {@link #failNext} / {@link #breakFor}. */
    public static int injected() {
        return INJECTED.get();
    }

    private static void failIfChosen(String name) {
        if (name.equals(collection) && Thread.currentThread().getName().equals(thread)
                && REMAINING.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            INJECTED.incrementAndGet();
            throw new MongoTimeoutException("Injected: the store did not answer");
        }
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
            if (target instanceof MongoCollection<?> wrapped && !method.getName().startsWith("get")
                    && !method.getName().startsWith("with")) {
                failIfChosen(wrapped.getNamespace().getCollectionName());
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
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
