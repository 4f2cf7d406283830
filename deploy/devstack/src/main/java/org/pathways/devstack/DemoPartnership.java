package org.pathways.devstack;

import java.util.List;
import java.util.Map;

import org.pathways.devstack.DemoTokens.DemoPrincipal;

/**
 * The demo partnership as a plan: who the agencies are, what they offer and how it leads on, the learners (in
 * several localities, some preferring Welsh), what each has already achieved, and where each referral ends up. The
 * plan holds no ids; {@link DemoData} carries it out through the public API and learns the ids from the answers.
 */
final class DemoPartnership {

    private DemoPartnership() {
    }

    record AgencyPlan(DemoPrincipal admin, String id, String name, String sector, String kind,
            List<String> localities, String description) {
    }

    record OpportunityPlan(DemoPrincipal owner, String title, String description, String kind, String level,
            int capacity, List<String> terms, String venueLocality) {
    }

    /** An opportunity {@code from} leads on to {@code to} (indexes into {@link #OPPORTUNITIES}). */
    record RoutePlan(int from, int to) {
    }

    /** Something the learner did before they came to us; informal learning counts. */
    record Achievement(String title, String kind) {
    }

    record LearnerPlan(DemoPrincipal registeredBy, String givenName, String familyName, String dateOfBirth,
            String localityCode, String preferredLanguage, String goals, List<String> barriers,
            List<String> interests, List<Achievement> achievements, List<String> consentTo) {
    }

    /** Where a referral ends up; each outcome is reached by the transitions the lifecycle allows, in order. */
    enum Outcome {
        /** Left unanswered: with the demo's same-day acknowledgement target it is soon overdue. */
        SUBMITTED(),
        RECEIVED(Step.of("RECEIVE")),
        ACCEPTED(Step.of("RECEIVE"), Step.of("ACCEPT")),
        IN_PROGRESS(Step.of("RECEIVE"), Step.of("ACCEPT"), Step.of("START")),
        COMPLETED(Step.of("RECEIVE"), Step.of("ACCEPT"), Step.of("START"), Step.of("COMPLETE")),
        ON_HOLD(Step.of("RECEIVE"), Step.of("ACCEPT"), Step.withReason("HOLD", "WAITLISTED",
                "Next intake starts in January; on the waiting list.")),
        REJECTED_NOT_ELIGIBLE(Step.of("RECEIVE"), Step.withReason("REJECT", "NOT_ELIGIBLE",
                "Assessed at Entry 1: the Entry 2 class first.")),
        REJECTED_NO_CAPACITY(Step.of("RECEIVE"), Step.withReason("REJECT", "NO_CAPACITY",
                "This term's group is full.")),
        REJECTED_COULD_NOT_CONTACT(Step.withReason("REJECT", "COULD_NOT_CONTACT",
                "Three calls and a letter, no answer.")),
        FAILED_DID_NOT_START(Step.of("RECEIVE"), Step.of("ACCEPT"), Step.withReason("FAIL", "DID_NOT_START",
                null)),
        FAILED_LEFT_EARLY(Step.of("RECEIVE"), Step.of("ACCEPT"), Step.of("START"),
                Step.withReason("FAIL", "LEFT_EARLY", null)),
        /** Withdrawn by the referring agency: the learner found something else. */
        CANCELLED(Step.byReferrer("CANCEL", "The learner found a place elsewhere."));

        final List<Step> steps;

        Outcome(Step... steps) {
            this.steps = List.of(steps);
        }
    }

    /** One transition; the receiving agency acts unless {@code byReferrer}. */
    record Step(String action, String reason, String reasonText, boolean byReferrer) {

        static Step of(String action) {
            return new Step(action, null, null, false);
        }

        static Step withReason(String action, String reason, String reasonText) {
            return new Step(action, reason, reasonText, false);
        }

        static Step byReferrer(String action, String reasonText) {
            return new Step(action, null, reasonText, true);
        }
    }

    /**
     * Refer learner {@code learner} to opportunity {@code opportunity}, take it to {@code outcome}, and when it is
     * completed and {@code nextStep} is not negative, start the next step along the pathway there.
     */
    record ReferralPlan(int learner, int opportunity, String need, String urgency, Outcome outcome, int nextStep) {
    }

    /** A milestone the registering agency records, {@code daysAgo} days ago (several weeks of history). */
    record MilestonePlan(int learner, String kind, int daysAgo, String learningKind, String level, Boolean accredited,
            String title, Integer opportunity) {

        static MilestonePlan simple(int learner, String kind, int daysAgo) {
            return new MilestonePlan(learner, kind, daysAgo, null, null, null, null, null);
        }

        static MilestonePlan achievement(int learner, int daysAgo, String learningKind, String title) {
            return new MilestonePlan(learner, "ACHIEVEMENT_GAINED", daysAgo, learningKind, null, null, title, null);
        }
    }

    static final String COLLEGE_ID = "agency-college";
    static final String COUNCIL_ID = "agency-council";
    static final String JOBCENTRE_ID = "agency-jobcentre";

    static final List<AgencyPlan> AGENCIES = List.of(
            new AgencyPlan(DemoTokens.COLLEGE, COLLEGE_ID, "Park Lane Further Education College", "PUBLIC", "COLLEGE",
                    List.of("LS6", "LS1", "LS9"), "Further education for adults: ESOL, maths and English, vocational"
                            + " courses and Access to Higher Education."),
            new AgencyPlan(DemoTokens.COUNCIL, COUNCIL_ID, "City Council Adult Learning and Communities", "PUBLIC",
                    "COUNCIL", List.of("LS6", "LS9", "LS11", "LS12"), "Community learning, libraries and the"
                            + " community hubs."),
            new AgencyPlan(DemoTokens.JOBCENTRE, JOBCENTRE_ID, "Jobcentre Plus, City Centre", "PUBLIC",
                    "JOB_CENTRE", List.of("LS1", "LS11", "LS12"), "Work coaches, job search support and"
                            + " sector-based work academies."));

    static final List<OpportunityPlan> OPPORTUNITIES = List.of(
            new OpportunityPlan(DemoTokens.COLLEGE, "Entry 2 English for speakers of other languages",
                    "Small-group ESOL for adults: everyday speaking, listening, reading and writing. Daytime and"
                            + " evening classes, free for learners on low incomes.",
                    "FORMAL_LEARNING", "E2", 16, List.of("esol", "english", "language"), "LS6"),
            new OpportunityPlan(DemoTokens.COLLEGE, "Level 1 Functional Skills Maths",
                    "Number, measures, shape and data for work and everyday life, leading to a Level 1 qualification.",
                    "FORMAL_LEARNING", "L1", 14, List.of("maths", "numeracy"), "LS6"),
            new OpportunityPlan(DemoTokens.JOBCENTRE, "Work Coach job search club",
                    "Weekly drop-in with a work coach: CVs, online applications, interview practice.",
                    "EMPLOYMENT_SUPPORT", null, 30, List.of("jobs", "cv", "work"), "LS1"),
            new OpportunityPlan(DemoTokens.COUNCIL, "Confidence building group",
                    "Six friendly sessions at the community hub for adults returning to learning or work.",
                    "NON_FORMAL_LEARNING", null, 10, List.of("confidence", "wellbeing"), "LS11"),
            new OpportunityPlan(DemoTokens.COLLEGE, "Entry 3 English for speakers of other languages",
                    "The next step after Entry 2: longer conversations, forms and letters, and a recognised"
                            + " qualification.",
                    "FORMAL_LEARNING", "E3", 16, List.of("esol", "english", "language"), "LS9"),
            new OpportunityPlan(DemoTokens.COLLEGE, "Level 2 Certificate in Health and Social Care",
                    "A one-year course for people who want to work in care, with a work placement.",
                    "FORMAL_LEARNING", "L2", 12, List.of("care", "health", "work"), "LS9"),
            new OpportunityPlan(DemoTokens.COUNCIL, "Digital skills drop-in at the library",
                    "Get online with help: e-mail, video calls, online forms and staying safe online.",
                    "NON_FORMAL_LEARNING", null, 20, List.of("digital", "computers", "online"), "LS12"),
            new OpportunityPlan(DemoTokens.COUNCIL, "Volunteering at the community food bank",
                    "Friendly volunteering two mornings a week; a reference after eight weeks.",
                    "VOLUNTEERING", null, 8, List.of("volunteering", "food", "community"), "LS11"));

    static final int ESOL_E2 = 0;
    static final int MATHS_L1 = 1;
    static final int JOB_CLUB = 2;
    static final int CONFIDENCE = 3;
    static final int ESOL_E3 = 4;
    static final int CARE_L2 = 5;
    static final int DIGITAL = 6;
    static final int VOLUNTEERING = 7;

    /** The pathways: ESOL E2 → E3 → maths → care → work; confidence → digital → maths; volunteering → job club. */
    static final List<RoutePlan> ROUTES = List.of(
            new RoutePlan(ESOL_E2, ESOL_E3), new RoutePlan(ESOL_E3, MATHS_L1), new RoutePlan(MATHS_L1, CARE_L2),
            new RoutePlan(CARE_L2, JOB_CLUB), new RoutePlan(CONFIDENCE, DIGITAL), new RoutePlan(DIGITAL, MATHS_L1),
            new RoutePlan(CONFIDENCE, VOLUNTEERING), new RoutePlan(VOLUNTEERING, JOB_CLUB));

    private static final List<String> COUNCIL_CONSENTS = List.of(COLLEGE_ID, JOBCENTRE_ID);
    private static final List<String> JOBCENTRE_CONSENTS = List.of(COLLEGE_ID, COUNCIL_ID);

    private static Achievement informal(String title) {
        return new Achievement(title, "INFORMAL");
    }

    private static Achievement nonFormal(String title) {
        return new Achievement(title, "NON_FORMAL");
    }

    static final List<LearnerPlan> LEARNERS = List.of(
            new LearnerPlan(DemoTokens.COUNCIL, "Amina", "Yusuf", "1990-04-12", "LS6", "en",
                    "Speak English with confidence and help my children with school.", List.of("CHILDCARE"),
                    List.of("cooking", "children's reading"), List.of(informal("Runs the school's parent coffee"
                            + " morning")), COUNCIL_CONSENTS),
            new LearnerPlan(DemoTokens.COUNCIL, "Tomasz", "Nowak", "1984-09-30", "LS9", "en",
                    "Get Level 1 maths and become a warehouse supervisor.", List.of(), List.of("football"),
                    List.of(informal("Forklift driving at work (not certified)")), COUNCIL_CONSENTS),
            new LearnerPlan(DemoTokens.COUNCIL, "Grace", "Okafor", "2001-02-17", "LS11", "en",
                    "Find work in retail or customer service, then train in care.", List.of("MONEY"),
                    List.of("music", "caring"), List.of(informal("Looked after her grandmother for two years")),
                    COUNCIL_CONSENTS),
            new LearnerPlan(DemoTokens.COUNCIL, "Rhys", "Pritchard", "1978-06-05", "LS6", "cy",
                    "Dysgu Saesneg ysgrifenedig ar gyfer gwaith. (Improve written English for work.)",
                    List.of("CONFIDENCE"), List.of("rygbi", "garddio"),
                    List.of(informal("Gofalu am ardd gymunedol (community garden)")), COUNCIL_CONSENTS),
            new LearnerPlan(DemoTokens.COUNCIL, "Farah", "Haddad", "1995-11-21", "LS9", "en",
                    "Pass maths so I can start a care course.", List.of("TRANSPORT"), List.of("baking"),
                    List.of(nonFormal("Community first aid course")), COUNCIL_CONSENTS),
            new LearnerPlan(DemoTokens.COUNCIL, "Siân", "Evans", "1988-03-14", "LS12", "cy",
                    "Gweithio ym maes gofal. (Work in care.)", List.of("CARING"), List.of("canu"),
                    List.of(informal("Caring for her father")), COUNCIL_CONSENTS),
            new LearnerPlan(DemoTokens.COUNCIL, "Daniel", "Mensah", "1999-08-09", "LS11", "en",
                    "Work in a care home.", List.of("DIGITAL_ACCESS"), List.of("football", "church choir"),
                    List.of(), COUNCIL_CONSENTS),
            new LearnerPlan(DemoTokens.COUNCIL, "Olena", "Kovalenko", "1986-01-27", "LS12", "en",
                    "Get a job and use my accountancy experience.", List.of(), List.of("chess"),
                    List.of(new Achievement("Degree in accountancy (Ukraine)", "INFORMAL")), COUNCIL_CONSENTS),
            new LearnerPlan(DemoTokens.COUNCIL, "Bilal", "Hussain", "2003-05-02", "LS9", "en",
                    "Learn English to go to college.", List.of("CHILDCARE"), List.of("cricket"), List.of(),
                    COUNCIL_CONSENTS),
            new LearnerPlan(DemoTokens.COUNCIL, "Megan", "Lloyd", "1992-12-11", "LS6", "cy",
                    "Ennill cymhwyster mathemateg. (Gain a maths qualification.)", List.of("HEALTH"),
                    List.of("nofio"), List.of(informal("Treasurer of the allotment society")), COUNCIL_CONSENTS),
            new LearnerPlan(DemoTokens.JOBCENTRE, "Kwame", "Asante", "1975-07-19", "LS11", "en",
                    "Build my confidence after a long time out of work.", List.of("CONFIDENCE", "HEALTH"),
                    List.of("gardening"), List.of(informal("Volunteer steward at the football ground")),
                    JOBCENTRE_CONSENTS),
            new LearnerPlan(DemoTokens.JOBCENTRE, "Lucy", "Walsh", "1969-10-03", "LS12", "en",
                    "Use a computer well enough to apply for jobs online.", List.of("DIGITAL_ACCESS"),
                    List.of("knitting"), List.of(), JOBCENTRE_CONSENTS),
            new LearnerPlan(DemoTokens.JOBCENTRE, "Piotr", "Zielinski", "1990-02-22", "LS11", "en",
                    "Maths for an electrician's apprenticeship.", List.of(), List.of("cycling"),
                    List.of(informal("Rewired his own flat with a qualified friend")), JOBCENTRE_CONSENTS),
            new LearnerPlan(DemoTokens.JOBCENTRE, "Hannah", "Price", "1983-04-30", "LS12", "en",
                    "Feel ready to go back to work.", List.of("CONFIDENCE", "CARING"), List.of("reading"),
                    List.of(), JOBCENTRE_CONSENTS),
            new LearnerPlan(DemoTokens.JOBCENTRE, "Yusuf", "Demir", "1997-09-16", "LS11", "en",
                    "Get online and find warehouse work.", List.of("TRANSPORT"), List.of("boxing"), List.of(),
                    JOBCENTRE_CONSENTS),
            new LearnerPlan(DemoTokens.JOBCENTRE, "Carys", "Morgan", "2000-06-08", "LS12", "cy",
                    "Hyfforddi i weithio ym maes gofal. (Train to work in care.)", List.of("MONEY"),
                    List.of("dawnsio"), List.of(nonFormal("Young carers' group certificate")), JOBCENTRE_CONSENTS));

    static final List<ReferralPlan> REFERRALS = List.of(
            new ReferralPlan(0, ESOL_E2, "Wants to improve spoken English to help her children with school.",
                    "ROUTINE", Outcome.COMPLETED, ESOL_E3),
            new ReferralPlan(1, MATHS_L1, "Needs Level 1 maths to apply for a warehouse supervisor role.", "ROUTINE",
                    Outcome.IN_PROGRESS, -1),
            new ReferralPlan(2, JOB_CLUB, "Recently out of work; looking for retail or customer service jobs.",
                    "SOON", Outcome.ACCEPTED, -1),
            new ReferralPlan(0, JOB_CLUB, "Would like part-time work once her English course has started.",
                    "ROUTINE", Outcome.SUBMITTED, -1),
            new ReferralPlan(3, ESOL_E3, "Wants to write reports at work in English.", "ROUTINE",
                    Outcome.REJECTED_NOT_ELIGIBLE, -1),
            new ReferralPlan(3, ESOL_E2, "Referred again to Entry 2 after the college's assessment.", "ROUTINE",
                    Outcome.ACCEPTED, -1),
            new ReferralPlan(4, MATHS_L1, "Needs Level 1 maths before a care course.", "ROUTINE",
                    Outcome.COMPLETED, CARE_L2),
            new ReferralPlan(5, CARE_L2, "Wants to train in care; caring experience at home.", "ROUTINE",
                    Outcome.ACCEPTED, -1),
            new ReferralPlan(6, CARE_L2, "Wants to work in a care home.", "ROUTINE",
                    Outcome.REJECTED_NO_CAPACITY, -1),
            new ReferralPlan(6, JOB_CLUB, "Help with online applications for care jobs.", "ROUTINE",
                    Outcome.RECEIVED, -1),
            new ReferralPlan(7, JOB_CLUB, "Experienced bookkeeper looking for office work.", "SOON",
                    Outcome.COMPLETED, -1),
            new ReferralPlan(8, ESOL_E2, "Wants English to start college next year.", "ROUTINE",
                    Outcome.FAILED_DID_NOT_START, -1),
            new ReferralPlan(9, MATHS_L1, "Wants a maths qualification.", "ROUTINE", Outcome.RECEIVED, -1),
            new ReferralPlan(2, CARE_L2, "Interested in care work after caring for her grandmother.", "ROUTINE",
                    Outcome.SUBMITTED, -1),
            new ReferralPlan(10, CONFIDENCE, "Long-term unemployed, low confidence.", "ROUTINE", Outcome.COMPLETED,
                    VOLUNTEERING),
            new ReferralPlan(11, DIGITAL, "Cannot apply for jobs online yet.", "SOON", Outcome.IN_PROGRESS, -1),
            new ReferralPlan(12, MATHS_L1, "Needs maths for an apprenticeship application.", "ROUTINE",
                    Outcome.SUBMITTED, -1),
            new ReferralPlan(13, CONFIDENCE, "Returning to work after caring for a relative.", "ROUTINE",
                    Outcome.ON_HOLD, -1),
            new ReferralPlan(14, DIGITAL, "Needs e-mail and online forms for job search.", "ROUTINE",
                    Outcome.CANCELLED, -1),
            new ReferralPlan(15, CARE_L2, "Wants to train in care.", "ROUTINE", Outcome.REJECTED_COULD_NOT_CONTACT,
                    -1),
            new ReferralPlan(11, MATHS_L1, "Maths alongside the digital skills sessions.", "ROUTINE",
                    Outcome.FAILED_LEFT_EARLY, -1),
            new ReferralPlan(14, CONFIDENCE, "Group sessions before job search.", "ROUTINE", Outcome.COMPLETED, -1));

    /** Several weeks of history: what workers recorded with each learner (referral events add their own). */
    /**
     * A step of a learner's shared plan (issue 19): what, the agency that does it, due in so many days, and the
     * referral it follows (an index into {@link #REFERRALS}, or -1).
     */
    record PlanStepPlan(String title, String ownerAgencyId, int dueInDays, int referral) {
    }

    /** The learner with a lead worker and a shared plan: Amina, registered by the council. */
    static final int TEAM_LEARNER = 0;
    /** Her lead worker: the council's worker (the sign-in name is the worker id the API keeps, never a name). */
    static final String TEAM_LEAD = "council-worker";
    /** Her two agreed next steps: the college's course after the one she finished, and the job club she was sent to. */
    static final List<PlanStepPlan> TEAM_PLAN = List.of(
            new PlanStepPlan("Start the Entry 3 ESOL class in January", COLLEGE_ID, 21, -1),
            new PlanStepPlan("Go to the job club's first session", JOBCENTRE_ID, 14, 3));

    static final List<MilestonePlan> MILESTONES = List.of(
            MilestonePlan.simple(0, "FIRST_CONTACT", 41), MilestonePlan.simple(0, "INITIAL_ASSESSMENT", 38),
            MilestonePlan.achievement(0, 20, "INFORMAL", "Read a school letter on her own"),
            MilestonePlan.simple(1, "FIRST_CONTACT", 35), MilestonePlan.simple(1, "INITIAL_ASSESSMENT", 33),
            MilestonePlan.simple(2, "FIRST_CONTACT", 30),
            MilestonePlan.achievement(2, 16, "NON_FORMAL", "Customer service taster day"),
            MilestonePlan.simple(3, "FIRST_CONTACT", 27), MilestonePlan.simple(3, "INITIAL_ASSESSMENT", 24),
            MilestonePlan.simple(4, "FIRST_CONTACT", 40),
            new MilestonePlan(4, "ACHIEVEMENT_GAINED", 6, "FORMAL", "L1", true, "Functional Skills Maths Level 1",
                    MATHS_L1),
            MilestonePlan.simple(5, "FIRST_CONTACT", 22), MilestonePlan.simple(5, "INTO_VOLUNTEERING", 12),
            MilestonePlan.simple(6, "FIRST_CONTACT", 19),
            MilestonePlan.simple(7, "FIRST_CONTACT", 34), MilestonePlan.simple(7, "INTO_WORK", 3),
            MilestonePlan.simple(8, "FIRST_CONTACT", 15),
            MilestonePlan.simple(9, "FIRST_CONTACT", 13),
            MilestonePlan.achievement(9, 9, "INFORMAL", "Kept the allotment society's accounts for a year"),
            MilestonePlan.simple(10, "FIRST_CONTACT", 37),
            new MilestonePlan(10, "ACHIEVEMENT_GAINED", 8, "NON_FORMAL", null, null, "Confidence building group",
                    CONFIDENCE),
            MilestonePlan.simple(10, "INTO_VOLUNTEERING", 2),
            MilestonePlan.simple(11, "FIRST_CONTACT", 26), MilestonePlan.simple(11, "ATTENDED", 5),
            MilestonePlan.simple(12, "FIRST_CONTACT", 18),
            MilestonePlan.simple(13, "FIRST_CONTACT", 11),
            MilestonePlan.simple(14, "FIRST_CONTACT", 29),
            MilestonePlan.achievement(14, 4, "INFORMAL", "Sent his first job application by e-mail"),
            MilestonePlan.simple(15, "FIRST_CONTACT", 8));

    /** The one referral handoff note thread in the demo: referral number → (agency writing, text). */
    static final Map<Integer, List<Map.Entry<DemoPrincipal, String>>> NOTES = Map.of(
            1, List.of(Map.entry(DemoTokens.COUNCIL, "Tomasz works shifts; evening groups suit him best."),
                    Map.entry(DemoTokens.COLLEGE, "Placed in the Tuesday evening group, starting next week.")));

    /** The college's developers' webhook endpoint, down all demo long: a loopback port nothing listens on. */
    static final String UNREACHABLE_WEBHOOK = "http://127.0.0.1:9/pathways/webhooks";
    static final List<String> WEBHOOK_EVENT_TYPES = List.of("org.pathways.referral.submitted.v1",
            "org.pathways.referral.overdue.v1", "org.pathways.referral.cancelled.v1");
}
