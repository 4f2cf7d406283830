package org.pathways.web.page;

import java.util.Arrays;
import java.util.List;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencySector;

/** The kinds and sectors of agency a form offers (the published ones), in the published order. */
public final class AgencyChoices {

    public static final List<String> KINDS = Arrays.stream(AgencyKind.values()).map(Enum::name).toList();
    public static final List<String> SECTORS = Arrays.stream(AgencySector.values()).map(Enum::name).toList();

    private AgencyChoices() {
    }
}
