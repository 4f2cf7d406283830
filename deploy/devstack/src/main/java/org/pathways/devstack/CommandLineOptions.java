package org.pathways.devstack;

import java.nio.file.Path;

/**
 * What the user asked for on the command line: start the platform (optionally with demo data, optionally in another
 * data directory), or print help. Tokens come from the running identity-service: {@code deploy/devstack/token}.
 *
 * @param dataDir the data directory given with --data-dir, or null for the default
 */
record CommandLineOptions(boolean help, boolean demo, boolean verbose, Path dataDir) {

    static final String USAGE = """
            Usage: deploy/devstack/run [--demo] [--verbose] [--data-dir DIR]

            Starts the whole Pathways platform on this machine without Docker: the identity-service (the OpenID
            Connect token issuer, http://localhost:9000), a Kafka broker (KRaft), a MongoDB-wire store kept on
            disk, the five services and the gateway on http://localhost:8080.

              --demo           load demo agencies' opportunities, learners, consents and referrals once ready
                               (only the first time for a data directory)
              --verbose        show every component's full output here (by default: progress, warnings and
                               errors; full logs are always in the data directory's logs/)
              --data-dir DIR   where Kafka's log, the store, the signing key, tokens and logs live
                               (default: .devstack in the repository root)
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
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--help", "-h" -> help = true;
                case "--demo" -> demo = true;
                case "--verbose", "-v" -> verbose = true;
                case "--data-dir" -> dataDir = Path.of(valueOf(args, ++i, option));
                case "token" -> throw new IllegalArgumentException("Tokens now come from the identity-service: "
                        + "deploy/devstack/token <user|client>, e.g. deploy/devstack/token college-worker");
                default -> throw new IllegalArgumentException("Unknown option: " + option);
            }
        }
        return new CommandLineOptions(help, demo, verbose, dataDir);
    }

    private static String valueOf(String[] args, int index, String option) {
        if (index >= args.length || args[index].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }
}
