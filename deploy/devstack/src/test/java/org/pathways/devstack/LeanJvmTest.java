package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The devstack's child JVMs ({@link JavaRuntime#LEAN_JVM}) compile code without stopping for a full collection to
 * unload it: a JVM that compiles everything it runs ({@code -Xcomp}: the JDK's compiler, compiling one small file)
 * makes more code than C1 only's reserve lets grow between such collections, and with the lean options it collects
 * nothing whole; with C1 only and the serial collector alone, the same run stops for a full collection.
 */
class LeanJvmTest {

    /** The code cache as the JVM prints it at exit: whole, or (segmented) each heap of it and then the whole. */
    private static final Pattern CODE_USED =
            Pattern.compile("(?m)^(CodeCache|CodeHeap '[^']+'): size=\\d+Kb,? used=(\\d+)Kb");

    @Test
    void compilingMoreCodeThanCOneOnlyAllowsCausesNoFullCollection(@TempDir Path dir) throws Exception {
        Run lean = compileWith(dir, JavaRuntime.LEAN_JVM);
        assertThat(lean.codeUsedKb()).as("code compiled by the probe, KB").isGreaterThan(8 * 1024);
        assertThat(lean.log()).doesNotContain("Pause Full");
    }

    @Test
    void withoutTheReserveTheSameRunStopsForAFullCollection(@TempDir Path dir) throws Exception {
        Run plain = compileWith(dir, List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        assertThat(plain.log()).contains("Pause Full (CodeCache GC Threshold)");
    }

    /**
     * A service whose worker thread (a consumer's, a scheduler's) runs out of heap exits, so that the devstack reports
     * it, instead of going on answering its health checks with that work stopped; without the option the same program
     * carries on.
     */
    @Test
    void aServiceThatRunsOutOfHeapExitsInsteadOfCarryingOnHalfWorking(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("Starved.java");
        Files.writeString(source, """
                public class Starved {
                    public static void main(String[] args) throws Exception {
                        Thread worker = new Thread(() -> {
                            java.util.List<long[]> kept = new java.util.ArrayList<>();
                            while (true) {
                                kept.add(new long[1 << 20]);
                            }
                        });
                        worker.start();
                        worker.join();
                        System.out.println("carried on after the worker died");
                    }
                }
                """);
        Starved withServiceOptions = starve(source, ServiceLaunch.JVM_OPTIONS);
        assertThat(withServiceOptions.exitCode()).as(withServiceOptions.log()).isNotZero();
        assertThat(withServiceOptions.log()).contains("Terminating due to java.lang.OutOfMemoryError")
                .doesNotContain("carried on");

        Starved without = starve(source, ServiceLaunch.JVM_OPTIONS.stream()
                .filter(option -> !option.equals("-XX:+ExitOnOutOfMemoryError")).toList());
        assertThat(without.log()).contains("carried on after the worker died");
    }

    private record Starved(int exitCode, String log) {
    }

    private static Starved starve(Path source, List<String> options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(JavaRuntime.javaExecutable()));
        command.addAll(options);
        command.addAll(List.of("-Xmx64m", source.toString()));     // after the service's -Xmx: this one counts
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the program ends").isTrue();
        return new Starved(process.exitValue(), log);
    }

    private record Run(String log, long codeUsedKb) {
    }

    private static Run compileWith(Path dir, List<String> options) throws IOException, InterruptedException {
        Path source = dir.resolve("Probe.java");
        Files.writeString(source, "public class Probe { public static void main(String[] args) {"
                + " System.out.println(java.util.stream.IntStream.range(0, 10).sum()); } }\n");
        List<String> command = new ArrayList<>(List.of(JavaRuntime.javaExecutable(), "-Xmx256m"));
        command.addAll(options);
        command.addAll(List.of("-Xcomp", "-Xlog:gc", "-XX:+PrintCodeCache",
                "-m", "jdk.compiler/com.sun.tools.javac.Main", "-d", dir.resolve("out").toString(), source.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the probe ends").isTrue();
        assertThat(process.exitValue()).as(log).isZero();
        long whole = -1;
        long heaps = 0;
        for (Matcher used = CODE_USED.matcher(log); used.find(); ) {
            if (used.group(1).equals("CodeCache")) {
                whole = Long.parseLong(used.group(2));
            } else {
                heaps += Long.parseLong(used.group(2));
            }
        }
        assertThat(whole >= 0 || heaps > 0).as(log).isTrue();
        return new Run(log, whole >= 0 ? whole : heaps);
    }
}
