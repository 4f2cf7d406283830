package org.pathways.devstack;

import java.nio.file.Path;

/**
 * What the user asked for on the command line: start the platform (optionally with demo data, optionally in another
 * data directory, optionally with several instances of each back-end service), or print help. Tokens come from the
 * running identity-service: {@code deploy/devstack/token}.
 *
 * @param dataDir the data directory given with --data-dir, or null for the default
 * @param replicas how many instances of each back-end service to run (--replicas, 1 by default)
 */
record CommandLineOptions(boolean help, boolean demo, boolean verbose, Path dataDir, int replicas) {

    /** Each further instance listens 100 above the previous one (8083, 8183, 8283): three keep clear of 8400+. */
    static final int MAX_REPLICAS = 3;

    static final String USAGE = """
            Usage: deploy/devstack/run [--demo] [--verbose] [--data-dir DIR] [--replicas N]

            Starts the whole Pathways platform on this machine without Docker: the identity-service (the OpenID
            Connect token issuer, http://localhost:9000), a Kafka broker (KRaft), a MongoDB-wire store kept on
            disk, the five services and the gateway on http://localhost:8080.

              --demo           load demo agencies' opportunities, learners, consents and referrals once ready
                               (only the first time for a data directory)
              --verbose        show every component's full output here (by default: progress, warnings and
                               errors; full logs are always in the data directory's logs/)
              --data-dir DIR   where Kafka's log, the store, the signing key, tokens and logs live
                               (default: .devstack in the repository root)
              --replicas N     run N instances (1 to 3) of each back-end service, the second on its port + 100,
                               the third on + 200, sharing databases and consumer groups; the gateway balances
                               over them (default: 1)
              --help           show this text

            Tokens: source .devstack/tokens.env (written on every start), or ask the issuer for one:
              deploy/devstack/token college-worker          a demo person (authorization code + PKCE)
              deploy/devstack/token agency-college-system   an agency's system (client credentials)

            Environment: MONGODB_URI=mongodb://host:port uses that MongoDB instead of the embedded store.
            """;

    static CommandLineOptions parse(String... args) {
        boolean help = false;
        boolean demo = false;
        boolean verbose = false;
        Path dataDir = null;
        int replicas = 1;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--help", "-h" -> help = true;
                case "--demo" -> demo = true;
                case "--verbose", "-v" -> verbose = true;
                case "--data-dir" -> dataDir = Path.of(valueOf(args, ++i, option));
                case "--replicas" -> replicas = replicas(valueOf(args, ++i, option));
                case "token" -> throw new IllegalArgumentException("Tokens now come from the identity-service: "
                        + "deploy/devstack/token <user|client>, e.g. deploy/devstack/token college-worker");
                default -> throw new IllegalArgumentException("Unknown option: " + option);
            }
        }
        return new CommandLineOptions(help, demo, verbose, dataDir, replicas);
    }

    private static int replicas(String value) {
        try {
            int replicas = Integer.parseInt(value);
            if (replicas >= 1 && replicas <= MAX_REPLICAS) {
                return replicas;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("--replicas needs a number from 1 to " + MAX_REPLICAS + ", not " + value);
    }

    private static String valueOf(String[] args, int index, String option) {
        if (index >= args.length || args[index].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }
}
