package org.pathways.catalogue.agency;

/** An agency's administrator sent a kind or sector other than the one a platform administrator approved. */
public class KindChangeRefused extends RuntimeException {

    KindChangeRefused() {
        super("An agency's kind and sector are set by a platform administrator", null, false, false);
    }
}
