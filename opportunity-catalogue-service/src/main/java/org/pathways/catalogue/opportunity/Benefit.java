package org.pathways.catalogue.opportunity;

/** Benefits that eligibility rules can ask for (any one of those listed qualifies). */
public enum Benefit {
    UNIVERSAL_CREDIT, JOBSEEKERS_ALLOWANCE, EMPLOYMENT_SUPPORT_ALLOWANCE, PERSONAL_INDEPENDENCE_PAYMENT,
    HOUSING_BENEFIT, PENSION_CREDIT, INCOME_SUPPORT
}
