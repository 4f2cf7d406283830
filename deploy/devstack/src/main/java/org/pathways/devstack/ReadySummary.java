package org.pathways.devstack;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * What a developer needs once the platform is up, on one screen: how long it took, where each component listens,
 * what it all costs in memory, where the data and logs are, and how to call the API.
 */
final class ReadySummary {

    /** One line of the component table. */
    record Component(String name, String address, long pid) {
    }

    private ReadySummary() {
    }

    static void print(PrintStream out, Duration timeToReady, List<Component> components, Path dataDir,
            Path repositoryRoot, String traceViewer) {
        print(out, timeToReady, components, dataDir, repositoryRoot, traceViewer, true);
    }

    /** As above; {@code traceViewerReady} false says the viewer is still starting (it starts last, at low priority). */
    static void print(PrintStream out, Duration timeToReady, List<Component> components, Path dataDir,
            Path repositoryRoot, String traceViewer, boolean traceViewerReady) {
        StringBuilder text = new StringBuilder("\n");
        text.append(String.format(Locale.ROOT, "Pathways devstack ready in %.1f s%n%n",
                timeToReady.toMillis() / 1000.0));
        text.append(String.format(Locale.ROOT, "  %-14s %-46s %8s %9s%n", "component", "address", "pid", "memory"));
        long totalKib = 0;
        boolean allKnown = true;
        for (Component component : components) {
            OptionalLong kib = ResidentMemory.kibibytesOf(component.pid());
            allKnown &= kib.isPresent();
            totalKib += kib.orElse(0);
            text.append(String.format(Locale.ROOT, "  %-14s %-46s %8d %9s%n", component.name(), component.address(),
                    component.pid(), kib.isPresent() ? mebibytes(kib.getAsLong()) : "?"));
        }
        text.append(String.format(Locale.ROOT, "  %-14s %-46s %8s %9s%n", "total", "resident memory of all processes",
                "", allKnown ? mebibytes(totalKib) : mebibytes(totalKib) + "+"));
        text.append('\n');
        text.append("  web:    open ").append(PlatformService.GATEWAY.baseUrl())
                .append(" and sign in as council-worker, college-worker, jobcentre-worker, college-admin,\n")
                .append("          council-admin, jobcentre-admin, coordinator or platform-admin (password demo-password)\n");
        if (traceViewer != null) {
            text.append("  traces: open ").append(traceViewer)
                    .append(" (Zipkin): one trace per request, across every service, Kafka and webhooks\n");
            if (!traceViewerReady) {
                text.append("          (still starting: it starts last, at low priority; \"trace viewer ready\" follows)\n");
            }
        }
        text.append("  data:   ").append(dataDir)
                .append("  (kafka/data, mongo/documents.mv, identity/signing-key.json)\n");
        text.append("  logs:   ").append(dataDir.resolve("logs"))
                .append("/<component>.log   (here: warnings and errors only; --verbose for everything)\n");
        text.append("  tokens: source ").append(display(repositoryRoot, dataDir.resolve(DemoTokens.FILE_NAME)))
                .append("   # COLLEGE_TOKEN, COUNCIL_TOKEN, JOBCENTRE_TOKEN, COORDINATOR_TOKEN, ... (12 h)\n");
        text.append("          curl -s -H \"Authorization: Bearer $COLLEGE_TOKEN\" ")
                .append(PlatformService.GATEWAY.baseUrl()).append("/api/opportunities\n");
        text.append("          any other: deploy/devstack/token college-worker   (or agency-college-system; issuer ")
                .append(PlatformService.IDENTITY.baseUrl()).append(")\n");
        text.append("\n  Ctrl-C stops everything; the data stays for the next start.\n");
        out.print(text);
        out.flush();
    }

    private static String mebibytes(long kib) {
        return (kib + 512) / 1024 + " MiB";
    }

    /** Relative to the checkout when inside it, because that is where the run script starts and the README says. */
    private static String display(Path repositoryRoot, Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.startsWith(repositoryRoot) ? repositoryRoot.relativize(absolute).toString()
                : absolute.toString();
    }
}
