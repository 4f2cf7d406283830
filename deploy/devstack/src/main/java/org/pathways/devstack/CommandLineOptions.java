package org.pathways.devstack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What the user asked for on the command line: start the platform (optionally with demo data, optionally in another
 * data directory), print help, or mint one token.
 *
 * @param dataDir the data directory given with --data-dir, or null for the default
 * @param token the token to mint, or null to start the platform
 */
record CommandLineOptions(boolean help, boolean demo, Path dataDir, TokenRequest token) {

    /** {@code token --agency X --subject Y --roles A,B [--hours N]}. */
    record TokenRequest(String agencyId, String subject, Set<String> roles, Duration ttl) {
    }

    static final String USAGE = """
            Usage: deploy/devstack/run [--demo] [--data-dir DIR]
                   deploy/devstack/run token --agency AGENCY --subject SUBJECT [--roles ROLE,ROLE] [--hours N] [--data-dir DIR]

            Starts the whole Pathways platform on this machine without Docker: a Kafka broker (KRaft), a
            MongoDB-wire store kept on disk, the five services and the gateway on http://localhost:8080.

              --demo           load demo agencies' opportunities, learners, consents and referrals once ready
                               (only the first time for a data directory)
              --data-dir DIR   where Kafka's log, the store, the JWT secret, tokens and logs live
                               (default: .devstack in the repository root)
              --help           show this text

            token: prints a token for the running devstack's secret, e.g.
              token --agency agency-college --subject worker-college --roles WORKER,AGENCY_ADMIN
              (roles default to WORKER, validity to 12 hours)

            Environment: MONGODB_URI=mongodb://host:port uses that MongoDB instead of the embedded store.
            """;

    static CommandLineOptions parse(String... args) {
        boolean tokenCommand = args.length > 0 && args[0].equals("token");
        boolean help = false;
        boolean demo = false;
        Path dataDir = null;
        String agency = null;
        String subject = null;
        String roles = "WORKER";
        Duration ttl = DemoTokens.TTL;
        for (int i = tokenCommand ? 1 : 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--help", "-h" -> help = true;
                case "--demo" -> {
                    if (tokenCommand) {
                        throw new IllegalArgumentException("--demo does not apply to the token command");
                    }
                    demo = true;
                }
                case "--data-dir" -> dataDir = Path.of(valueOf(args, ++i, option));
                case "--agency" -> agency = valueOf(args, ++i, option);
                case "--subject" -> subject = valueOf(args, ++i, option);
                case "--roles" -> roles = valueOf(args, ++i, option);
                case "--hours" -> ttl = Duration.ofHours(hours(valueOf(args, ++i, option)));
                default -> throw new IllegalArgumentException("Unknown option: " + option);
            }
            if (!tokenCommand && Set.of("--agency", "--subject", "--roles", "--hours").contains(option)) {
                throw new IllegalArgumentException(option + " only applies to the token command");
            }
        }
        if (!tokenCommand || help) {
            return new CommandLineOptions(help, demo, dataDir, null);
        }
        if (agency == null || subject == null) {
            throw new IllegalArgumentException("token needs --agency and --subject");
        }
        Set<String> roleSet = new LinkedHashSet<>();
        Arrays.stream(roles.split(",")).map(String::strip).filter(role -> !role.isEmpty()).forEach(roleSet::add);
        return new CommandLineOptions(false, false, dataDir, new TokenRequest(agency, subject, roleSet, ttl));
    }

    private static String valueOf(String[] args, int index, String option) {
        if (index >= args.length || args[index].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static long hours(String value) {
        try {
            long hours = Long.parseLong(value);
            if (hours > 0) {
                return hours;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new IllegalArgumentException("--hours needs a positive whole number, not " + value);
    }
}
