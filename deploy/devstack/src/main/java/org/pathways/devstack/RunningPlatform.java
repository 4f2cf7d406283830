package org.pathways.devstack;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What has been started so far, and the one way to stop it: the gateway first so that no new request comes in,
 * then the services (which may still be publishing to Kafka and writing to the store), then the trace viewer (which
 * takes the services' last spans as they stop), then Kafka, and the store last. Used by the shutdown hook, so Ctrl-C, a failed start and a normal exit all stop things the same way.
 */
final class RunningPlatform {

    /**
     * How long a service may take to stop before it is killed. A service writes its class-data sharing archive as it
     * exits (about 100 MB, several services at once on a small machine): killed before that ends, the next start
     * loads every class again. Stopping takes seconds when the machine is idle.
     */
    static final Duration SERVICE_STOP_GRACE = Duration.ofSeconds(45);

    private final PrintStream console;
    private final List<ChildProcess> services = new ArrayList<>();
    private ChildProcess gateway;
    private ChildProcess traceViewer;
    private KafkaBroker kafka;
    private EmbeddedMongoStore store;
    private boolean stopping;

    RunningPlatform(PrintStream console) {
        this.console = console;
    }

    synchronized boolean stopping() {
        return stopping;
    }

    /**
     * Each registration checks whether stopping has begun: Ctrl-C can arrive while the main thread is still
     * starting things, and a process started after the hook took its snapshot would otherwise be left running.
     */
    void store(EmbeddedMongoStore started) {
        synchronized (this) {
            if (!stopping) {
                store = started;
                return;
            }
        }
        started.close();
    }

    void kafka(KafkaBroker starting) {
        synchronized (this) {
            if (!stopping) {
                kafka = starting;
                return;
            }
        }
        starting.stop();
    }

    void service(ChildProcess started) {
        synchronized (this) {
            if (!stopping) {
                services.add(started);
                return;
            }
        }
        started.stop(SERVICE_STOP_GRACE, console);
    }

    /**
     * The trace viewer stops after the services, not with them: each service sends it its last spans as it stops, and
     * the viewer closing those connections while a service's JVM was writing its class-data archive at exit crashed
     * that JVM now and then (the JDK's HTTP client resolving a lambda during the archive's dump, JDK 25.0.3).
     */
    void traceViewer(ChildProcess started) {
        synchronized (this) {
            if (!stopping) {
                services.add(started);    // listed where it started, stopped after the others
                traceViewer = started;
                return;
            }
        }
        started.stop(SERVICE_STOP_GRACE, console);
    }

    void gateway(ChildProcess started) {
        synchronized (this) {
            if (!stopping) {
                gateway = started;
                return;
            }
        }
        started.stop(SERVICE_STOP_GRACE, console);
    }

    synchronized List<ChildProcess> children() {
        List<ChildProcess> children = new ArrayList<>();
        if (kafka != null && kafka.process() != null) {
            children.add(kafka.process());
        }
        children.addAll(services);
        if (gateway != null) {
            children.add(gateway);
        }
        return children;
    }

    /** Stops everything started, in order; safe to call more than once. */
    void stop() {
        ChildProcess gatewayToStop;
        ChildProcess traceViewerToStop;
        List<ChildProcess> servicesToStop;
        KafkaBroker kafkaToStop;
        EmbeddedMongoStore storeToClose;
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
            gatewayToStop = gateway;
            traceViewerToStop = traceViewer;
            servicesToStop = services.stream().filter(service -> service != traceViewer).toList();
            kafkaToStop = kafka;
            storeToClose = store;
        }
        say("stopping");
        if (gatewayToStop != null) {
            gatewayToStop.stop(SERVICE_STOP_GRACE, console);
        }
        stopTogether(servicesToStop);
        if (traceViewerToStop != null) {
            traceViewerToStop.stop(SERVICE_STOP_GRACE, console);
        }
        if (kafkaToStop != null) {
            kafkaToStop.stop();
        }
        if (storeToClose != null) {
            try {
                storeToClose.close();
            } catch (RuntimeException e) {
                say("closing the MongoDB store failed: " + e);
            }
        }
        say("stopped");
    }

    /** The services do not depend on one another, so they shut down side by side rather than 20 s after each other. */
    private void stopTogether(List<ChildProcess> processes) {
        List<Thread> stoppers = new ArrayList<>();
        for (ChildProcess process : processes) {
            stoppers.add(Thread.ofPlatform().name("stop-" + process.name())
                    .start(() -> process.stop(SERVICE_STOP_GRACE, console)));
        }
        for (Thread stopper : stoppers) {
            try {
                stopper.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void say(String message) {
        console.println(ChildProcess.prefix("devstack") + message);
    }
}
