package org.pathways.catalogue.opportunity;

/** What an opportunity offers to make it accessible. */
public enum AccessibilityFeature {
    STEP_FREE, HEARING_LOOP, CRECHE, MATERIALS_IN_OTHER_LANGUAGES, INTERPRETER, LARGE_PRINT, QUIET_SPACE,
    ACCESSIBLE_TOILET, BSL_INTERPRETER
}
