package org.pathways.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;

import com.mongodb.MongoTimeoutException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.mongodb.MongoDatabaseFactory;

/**
 * Fault injection at the store boundary, for a module's one shared test context ({@code @Import(StoreFaults.class)}):
 * the commands a {@link Fault} chooses fail as the driver fails them when the store does not answer
 * ({@link MongoTimeoutException}); every other command is served as usual. It wraps the {@link MongoDatabaseFactory}
 * the templates and repositories use, so the failure travels through the same exception translation as a real one
 * (a {@code DataAccessResourceFailureException} to the service's code).
 *
 * <p>A fault chooses the commands on one collection, either those a thread of a given name sends (a background
 * worker's), or those writing a document about a given subject, from any thread (a request's). Faults set by
 * different tests do not meet as long as each names its own thread or subject, and each is healed by
 * {@link Fault#heal()} (or closing it), or all at once by {@link #heal()}.
 */
@TestConfiguration(proxyBeanMethods = false)
public class StoreFaults {

    private static final Set<Fault> FAULTS = ConcurrentHashMap.newKeySet();

    /** The next {@code commands} commands that a thread named {@code threadName} sends to {@code collection} fail. */
    public static Fault failNext(String threadName, String collection, int commands) {
        Objects.requireNonNull(threadName);
        return install(new Fault(collection, (method, args) -> threadName.equals(Thread.currentThread().getName()),
                commands));
    }

    /** Every command that a thread named {@code threadName} sends to {@code collection} fails until healed. */
    public static Fault breakFor(String threadName, String collection) {
        return failNext(threadName, collection, Integer.MAX_VALUE);
    }

    /**
     * Until healed, no document whose top-level {@code field} is {@code value} can be written to {@code collection}
     * (inserted or replaced whole, as a template's {@code insert} and {@code save} do), from any thread; other
     * documents, reads and partial updates are served as usual.
     */
    public static Fault refuseWrites(String collection, String field, Object value) {
        Objects.requireNonNull(field);
        Objects.requireNonNull(value);
        return install(new Fault(collection, (method, args) -> writesWhole(method) && carries(args, field, value),
                Integer.MAX_VALUE));
    }

    /** Heals every fault. */
    public static void heal() {
        FAULTS.forEach(Fault::heal);
    }

    /** Commands on a chosen collection, chosen further by what they are and carry; a test heals it when done. */
    public static final class Fault implements AutoCloseable {

        private final String collection;
        private final BiPredicate<Method, Object[]> chosen;
        private final AtomicInteger remaining;
        private final AtomicInteger injected = new AtomicInteger();

        private Fault(String collection, BiPredicate<Method, Object[]> chosen, int commands) {
            this.collection = Objects.requireNonNull(collection);
            this.chosen = chosen;
            this.remaining = new AtomicInteger(commands);
        }

        /** How many commands this fault failed so far. */
        public int injected() {
            return injected.get();
        }

        /** From now on, the commands this fault chose are served again. */
        public void heal() {
            remaining.set(0);
            FAULTS.remove(this);
        }

        @Override
        public void close() {
            heal();
        }

        private boolean fails(String collectionName, Method method, Object[] args) {
            if (collection.equals(collectionName) && chosen.test(method, args)
                    && remaining.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                injected.incrementAndGet();
                return true;
            }
            return false;
        }
    }

    private static Fault install(Fault fault) {
        FAULTS.add(fault);
        return fault;
    }

    private static boolean writesWhole(Method method) {
        return method.getName().startsWith("insert") || method.getName().startsWith("replace")
                || method.getName().equals("findOneAndReplace");
    }

    /** Whether a document among {@code args} (or in a list of them) has {@code field} set to {@code value}. */
    private static boolean carries(Object[] args, String field, Object value) {
        if (args == null) {
            return false;
        }
        for (Object arg : args) {
            if (arg instanceof Map<?, ?> document && value.equals(document.get(field))) {
                return true;
            }
            if (arg instanceof Iterable<?> documents) {
                for (Object each : documents) {
                    if (each instanceof Map<?, ?> document && value.equals(document.get(field))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static void failIfChosen(String collectionName, Method method, Object[] args) {
        for (Fault fault : FAULTS) {
            if (fault.fails(collectionName, method, args)) {
                throw new MongoTimeoutException("Injected: the store did not answer");
            }
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
                failIfChosen(wrapped.getNamespace().getCollectionName(), method, args);
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
