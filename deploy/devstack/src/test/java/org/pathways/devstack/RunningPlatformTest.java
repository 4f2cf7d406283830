package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The order in which a stop takes the platform down, with real child processes. */
class RunningPlatformTest {

    /**
     * A process that notes when it is asked to stop, takes {@code seconds} to do so (as a service writing its
     * class-data archive does), and notes when it is done.
     */
    private static ChildProcess process(String name, Path notes, double seconds, PrintStream console)
            throws Exception {
        String script = "trap 'echo \"" + name + " asked\" >> \"$NOTES\"; sleep " + seconds + "; echo \"" + name
                + " done\" >> \"$NOTES\"; exit 0' TERM; echo \"" + name + " up\" >> \"$NOTES\";"
                + " i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done";
        return ChildProcess.start(name, List.of("sh", "-c", script), Map.of("NOTES", notes.toString()), null,
                console, ConsoleFilter.everything());
    }

    private static void awaitUp(Path notes, int processes) throws Exception {
        for (int i = 0; i < 100 && (!Files.exists(notes) || Files.readAllLines(notes).stream()
                .filter(line -> line.endsWith(" up")).count() < processes); i++) {
            Thread.sleep(50);
        }
    }

    @Test
    void theTraceViewerIsAskedToStopOnlyOnceEveryServiceHasStoppedSoTheirLastSpansAndArchivesAreWritten(
            @TempDir Path dir) throws Exception {
        Path notes = dir.resolve("notes");
        PrintStream console = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        RunningPlatform platform = new RunningPlatform(console);
        platform.service(process("identity", notes, 0, console));
        platform.traceViewer(process("zipkin", notes, 0, console));
        platform.service(process("learner", notes, 1, console));
        platform.service(process("referral", notes, 1, console));
        platform.gateway(process("gateway", notes, 0, console));
        awaitUp(notes, 5);

        platform.stop();

        List<String> order = Files.readAllLines(notes).stream().filter(line -> !line.endsWith(" up")).toList();
        assertThat(order).contains("learner done", "referral done", "identity done", "gateway done", "zipkin done");
        int viewerAsked = order.indexOf("zipkin asked");
        for (String service : List.of("identity", "learner", "referral", "gateway")) {
            assertThat(order.indexOf(service + " done")).as(service + " stopped before the trace viewer was asked")
                    .isLessThan(viewerAsked);
        }
        // Listed where it was started (the ready summary's order), with the others.
        assertThat(platform.children()).extracting(ChildProcess::name)
                .containsExactly("identity", "zipkin", "learner", "referral", "gateway");
    }
}
