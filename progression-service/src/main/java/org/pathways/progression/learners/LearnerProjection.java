package org.pathways.progression.learners;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.pathways.events.EventType;
import org.pathways.events.learner.LearnerErased;
import org.pathways.events.learner.LearnerMerged;
import org.pathways.events.learner.LearnerProfileUpdated;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.progression.events.Projection;
import org.pathways.progression.events.ProjectionChange;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Facts;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Tally;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Learner id → current locality code, referrals waiting to learn it, and the first date of an achievement of each
 * learning kind ({@value #COLLECTION}): the only place a learner id is kept, deleted on {@code learner.erased} (and
 * for the retired id on {@code learner.merged}). From the first dates it counts the moves up the kinds of learning
 * (family {@value #MOVES}: one per learner and kind reached after a lower one, on the day it was reached, by locality).
 */
@Component
@Order(0)
public class LearnerProjection implements Projection {

    public static final String COLLECTION = "learners";
    public static final String MOVES = "learning-moves";
    public static final String PROJECTION = "progression";
    /** The kinds of learning, lowest first. */
    public static final List<String> KINDS = List.of("INFORMAL", "NON_FORMAL", "FORMAL");
    private static final String LOCALITY = "localityCode";
    private static final String AWAITING = "awaitingReferrals";

    private final FactStore facts;

    LearnerProjection(FactStore facts) {
        this.facts = facts;
    }

    @Override
    public Optional<ProjectionChange> apply(ReceivedEvent event, Generation generation) {
        if (event.is(EventType.LEARNER_REGISTERED)) {
            LearnerRegistered registered = event.data(LearnerRegistered.class);
            locate(generation, registered.learnerId(), registered.localityCode());
        } else if (event.is(EventType.LEARNER_PROFILE_UPDATED)) {
            LearnerProfileUpdated updated = event.data(LearnerProfileUpdated.class);
            locate(generation, updated.learnerId(), updated.localityCode());
        } else if (event.is(EventType.LEARNER_ERASED)) {
            facts.forget(generation, COLLECTION, event.data(LearnerErased.class).learnerId());
        } else if (event.is(EventType.LEARNER_MERGED)) {
            facts.forget(generation, COLLECTION, event.data(LearnerMerged.class).learnerId());
        }
        return Optional.empty();
    }

    private void locate(Generation generation, String learnerId, String localityCode) {
        if (localityCode != null) {
            facts.change(generation, COLLECTION, learnerId, f -> f.set(LOCALITY, localityCode), this::moves);
        }
    }

    /** The learner's locality code, when known. */
    public Optional<String> localityOf(Generation generation, String learnerId) {
        return Optional.ofNullable(facts.find(generation, COLLECTION, learnerId)).map(f -> f.string(LOCALITY));
    }

    /** Remembers that {@code referralId} waits to learn where {@code learnerId} lives. */
    public void awaitLocality(Generation generation, String learnerId, String referralId) {
        facts.change(generation, COLLECTION, learnerId, f -> f.addToSet(AWAITING, referralId), this::moves);
    }

    /** The referrals waiting to learn the learner's locality; forgotten once taken. */
    public List<String> takeAwaitingReferrals(Generation generation, String learnerId) {
        Facts learner = facts.find(generation, COLLECTION, learnerId);
        if (learner == null || learner.strings(AWAITING).isEmpty()) {
            return List.of();
        }
        List<String> waiting = new ArrayList<>(learner.strings(AWAITING));
        facts.change(generation, COLLECTION, learnerId, f -> f.remove(AWAITING), this::moves);
        return waiting;
    }

    /** Records an achievement of {@code learningKind} on {@code occurredOn}; says whether the moves changed. */
    public boolean achieved(Generation generation, String learnerId, String learningKind, LocalDate occurredOn) {
        if (learningKind == null || !KINDS.contains(learningKind)) {
            return false;
        }
        Date day = Date.from(occurredOn.atStartOfDay(ZoneOffset.UTC).toInstant());
        facts.change(generation, COLLECTION, learnerId, f -> f.min("first" + learningKind, day), this::moves);
        return true;
    }

    /** One move per kind reached after a lower one was: from the highest lower kind reached by then. */
    private List<Tally> moves(Facts learner) {
        List<Tally> moves = new ArrayList<>();
        for (int to = 1; to < KINDS.size(); to++) {
            Date reached = learner.date("first" + KINDS.get(to));
            if (reached == null) {
                continue;
            }
            for (int from = to - 1; from >= 0; from--) {
                Date before = learner.date("first" + KINDS.get(from));
                if (before != null && !before.after(reached)) {
                    moves.add(new Tally(MOVES, reached.toInstant().atZone(ZoneOffset.UTC).toLocalDate(),
                            Map.of("from", KINDS.get(from), "to", KINDS.get(to), "locality",
                                    orUnknown(learner.string(LOCALITY))),
                            Map.of("learners", 1L)));
                    break;
                }
            }
        }
        return moves;
    }

    private static String orUnknown(String value) {
        return value == null ? Tally.UNKNOWN : value;
    }
}
