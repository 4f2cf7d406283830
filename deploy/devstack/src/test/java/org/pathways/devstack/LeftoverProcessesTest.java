package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A devstack killed hard leaves its children running, each holding a port: the next start stops them, and only
 * them (a process id recorded with another start time belongs to some other process now).
 */
class LeftoverProcessesTest {

    @Test
    void whileTheDevstackThatStartedThemRunsTheyAreItsOwnAndAnotherStartTouchesNothing(@TempDir Path dataDir)
            throws Exception {
        Process devstack = new ProcessBuilder("sleep", "120").start();
        Process child = new ProcessBuilder("sleep", "120").start();
        try {
            LeftoverProcesses first = new LeftoverProcesses(dataDir);
            first.claim(devstack.toHandle());
            first.remember(child.toHandle());

            LeftoverProcesses second = new LeftoverProcesses(dataDir);
            assertThat(second.stopLeftovers(new PrintStream(new ByteArrayOutputStream())))
                    .isEqualTo(LeftoverProcesses.ANOTHER_IS_RUNNING);
            assertThat(second.runningOwner()).hasValue(devstack.pid());
            assertThat(child.isAlive()).as("the running devstack's child, left alone").isTrue();
            assertThat(dataDir.resolve(LeftoverProcesses.FILE_NAME)).exists();

            // Once that devstack is gone (killed hard), its child is a leftover.
            devstack.destroyForcibly().onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(second.stopLeftovers(new PrintStream(new ByteArrayOutputStream()))).isEqualTo(1);
            assertThat(child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            devstack.destroyForcibly();
            child.destroyForcibly();
        }
    }

    @Test
    void theNextStartStopsWhatAnEarlierDevstackLeftRunningAndNothingElse(@TempDir Path dataDir) throws Exception {
        Process left = new ProcessBuilder("sleep", "120").start();
        Process someoneElses = new ProcessBuilder("sleep", "120").start();
        try {
            LeftoverProcesses earlier = new LeftoverProcesses(dataDir);
            earlier.remember(left.toHandle());
            // A pid written down with another start time: the system gave that id to another process since.
            Files.writeString(dataDir.resolve(LeftoverProcesses.FILE_NAME), someoneElses.pid()
                    + " 2001-01-01T00:00:00Z" + System.lineSeparator(), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.APPEND);

            ByteArrayOutputStream said = new ByteArrayOutputStream();
            int stopped = new LeftoverProcesses(dataDir).stopLeftovers(new PrintStream(said, true, StandardCharsets.UTF_8));

            assertThat(stopped).isEqualTo(1);
            assertThat(left.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).as("stopped").isTrue();
            assertThat(someoneElses.isAlive()).as("not ours: left alone").isTrue();
            assertThat(said.toString(StandardCharsets.UTF_8)).contains("an earlier devstack left running")
                    .contains(Long.toString(left.pid()));
            assertThat(dataDir.resolve(LeftoverProcesses.FILE_NAME)).doesNotExist();
            assertThat(new LeftoverProcesses(dataDir).stopLeftovers(new PrintStream(new ByteArrayOutputStream())))
                    .as("nothing the second time").isZero();
        } finally {
            left.destroyForcibly();
            someoneElses.destroyForcibly();
            someoneElses.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
