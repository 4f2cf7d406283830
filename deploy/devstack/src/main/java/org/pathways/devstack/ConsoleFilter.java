package org.pathways.devstack;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides which of a component's output lines reach the devstack's console. Everything goes to the component's log
 * file; the console gets warnings and errors only (with the lines that continue them, such as a stack trace), so
 * that the devstack's own progress and summary are not buried under seven JVMs' start-up chatter. {@code --verbose}
 * shows everything, as before.
 *
 * <p>A line that starts a log event is recognised in the two formats the devstack's children write: Spring Boot's
 * console pattern ({@code 2026-12-02T02:34:49.140Z  WARN 15320 --- [...]}) and slf4j-simple's, which the Kafka
 * broker uses ({@code [thread] WARN logger - message}, optionally after a time). Any other line continues the event
 * before it and is shown when that event was. Not thread-safe: one instance per output stream.
 */
final class ConsoleFilter {

    private static final Pattern SPRING_BOOT = Pattern.compile(
            "^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}[.,]\\d+\\S*\\s+(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\\s");
    private static final Pattern SLF4J_SIMPLE = Pattern.compile(
            "^(?:\\d{2}:\\d{2}:\\d{2}[.,]\\d+\\s+)?\\[[^\\]]*\\]\\s+(TRACE|DEBUG|INFO|WARN|ERROR)\\s");

    private final boolean verbose;
    /** Whether a warning is shown, or only an error. */
    private final boolean warnings;
    private boolean showingCurrentEvent;

    private ConsoleFilter(boolean verbose, boolean warnings) {
        this.verbose = verbose;
        this.warnings = warnings;
    }

    /** Warnings, errors and what continues them. */
    static ConsoleFilter problemsOnly() {
        return new ConsoleFilter(false, true);
    }

    /**
     * Errors and what continues them: for a third-party tool beside the platform (the trace viewer), whose own
     * warnings (e.g. Zipkin's about its metrics registry, once a start) are not something a developer of Pathways
     * can act on; they stay in its log file.
     */
    static ConsoleFilter errorsOnly() {
        return new ConsoleFilter(false, false);
    }

    /** Every line (the devstack's {@code --verbose}). */
    static ConsoleFilter everything() {
        return new ConsoleFilter(true, true);
    }

    boolean show(String line) {
        if (verbose) {
            return true;
        }
        String level = levelOf(line);
        if (level != null) {
            showingCurrentEvent = (warnings && level.equals("WARN")) || level.equals("ERROR") || level.equals("FATAL");
        }
        return showingCurrentEvent;
    }

    /** The level of a line that starts a log event, or null for any other line. */
    static String levelOf(String line) {
        Matcher spring = SPRING_BOOT.matcher(line);
        if (spring.find()) {
            return spring.group(1);
        }
        Matcher simple = SLF4J_SIMPLE.matcher(line);
        if (simple.find()) {
            return simple.group(1);
        }
        return null;
    }
}
