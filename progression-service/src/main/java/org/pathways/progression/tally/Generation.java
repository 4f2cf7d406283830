package org.pathways.progression.tally;

/**
 * One complete set of projections. The live figures are read from the active generation; a rebuild fills the next one
 * from the topics and switches over when it has caught up, so the collections of every projection are named per
 * generation ({@code p<number>.<name>}).
 */
public record Generation(long number) {

    static final String PREFIX = "p";

    public String collection(String name) {
        return PREFIX + number + "." + name;
    }

    public Generation next() {
        return new Generation(number + 1);
    }

    /** Whether {@code collection} belongs to this generation. */
    public boolean owns(String collection) {
        return collection.startsWith(PREFIX + number + ".");
    }
}
