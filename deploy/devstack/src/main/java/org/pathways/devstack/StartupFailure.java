package org.pathways.devstack;

/**
 * A component did not come up. Carries the process that failed, when there is one, so that its last log lines can
 * be shown next to the reason instead of sending the user to dig through six logs.
 */
final class StartupFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient ChildProcess process;

    StartupFailure(String message, ChildProcess process) {
        super(message);
        this.process = process;
    }

    StartupFailure(String message, Throwable cause) {
        super(message, cause);
        this.process = null;
    }

    /** The process whose log explains the failure, or null. */
    ChildProcess process() {
        return process;
    }
}
