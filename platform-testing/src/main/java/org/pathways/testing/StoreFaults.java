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
 * Fault injection at the store boundary, for a module's one shared test context ({@code @Import(StoreFaults.class)}):
 * the commands a {@link Fault} chooses fail as the driver fails them when the store does not answer
 * ({@link MongoTimeoutException}), or land and then fail as when their acknowledgement is lost
 * ({@link #landThenFailNext}); every other command is served as usual. It wraps the {@link MongoDatabaseFactory}
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
    /** The collection commands that change what the store holds (a lost acknowledgement leaves the change made). */
    private static final Set<String> WRITES = Set.of("insertOne", "insertMany", "updateOne", "updateMany",
            "replaceOne", "deleteOne", "deleteMany", "findOneAndUpdate", "findOneAndReplace", "findOneAndDelete",
            "bulkWrite");

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
     * The next {@code writes} write commands of a thread named {@code threadName} on {@code collection} are applied,
     * and then fail as when the acknowledgement is lost ({@link MongoSocketReadTimeoutException}); its reads are
     * served as usual.
     */
    public static Fault landThenFailNext(String threadName, String collection, int writes) {
        Objects.requireNonNull(threadName);
        return install(new Fault(collection, (method, args) -> threadName.equals(Thread.currentThread().getName()),
                writes, true, false));
    }

    /**
     * The next write of a thread named {@code threadName} on {@code collection} lands and fails as
     * {@link #landThenFailNext} does, and then the store stays down for that thread: every later command on the
     * collection fails (as {@link #breakFor}) until healed.
     */
    public static Fault landThenBreakFor(String threadName, String collection) {
        Objects.requireNonNull(threadName);
        return install(new Fault(collection, (method, args) -> threadName.equals(Thread.currentThread().getName()),
                1, true, true));
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
        /** Whether the chosen commands are writes that land before they fail, rather than commands never sent. */
        private final boolean landing;
        /** Whether, once a chosen write has landed and failed, every later chosen command fails until healed. */
        private final boolean thenDown;
        private volatile boolean down;

        private Fault(String collection, BiPredicate<Method, Object[]> chosen, int commands) {
            this(collection, chosen, commands, false, false);
        }

        private Fault(String collection, BiPredicate<Method, Object[]> chosen, int commands, boolean landing,
                      boolean thenDown) {
            this.collection = Objects.requireNonNull(collection);
            this.chosen = chosen;
            this.remaining = new AtomicInteger(commands);
            this.landing = landing;
            this.thenDown = thenDown;
        }

        /** How many commands this fault failed so far. */
        public int injected() {
            return injected.get();
        }

        /** From now on, the commands this fault chose are served again. */
        public void heal() {
            remaining.set(0);
            down = false;
            FAULTS.remove(this);
        }

        @Override
        public void close() {
            heal();
        }

        /** Whether the command fails before it is sent (a landing fault fails its writes after, once they land). */
        private boolean failsBefore(String collectionName, Method method, Object[] args) {
            return (!landing || down) && fails(collectionName, method, args);
        }

        /** Whether the write that was just applied fails as if its acknowledgement were lost. */
        private boolean failsAfter(String collectionName, Method method, Object[] args) {
            if (!landing || down || !WRITES.contains(method.getName()) || !fails(collectionName, method, args)) {
                return false;
            }
            if (thenDown) {
                remaining.set(Integer.MAX_VALUE);
                down = true;
            }
            return true;
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
            if (fault.failsBefore(collectionName, method, args)) {
                throw new MongoTimeoutException("Injected: the store did not answer");
            }
        }
    }

    private static void failIfLanded(String collectionName, Method method, Object[] args) {
        for (Fault fault : FAULTS) {
            if (fault.failsAfter(collectionName, method, args)) {
                throw new MongoSocketReadTimeoutException("Injected: the write landed, its acknowledgement did not",
                        new ServerAddress(), new java.net.SocketTimeoutException());
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
            String command = target instanceof MongoCollection<?> wrapped && !method.getName().startsWith("get")
                    && !method.getName().startsWith("with") ? wrapped.getNamespace().getCollectionName() : null;
            if (command != null) {
                failIfChosen(command, method, args);
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (command != null) {
                failIfLanded(command, method, args);
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
