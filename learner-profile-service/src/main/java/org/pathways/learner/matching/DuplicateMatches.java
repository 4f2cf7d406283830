package org.pathways.learner.matching;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

import org.pathways.learner.erasure.ErasureStep;
import org.pathways.platform.store.GuardIndexes;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * Issues and redeems match tokens: 256 random bits, URL-safe, valid for {@link #VALID_FOR} and only for the agency
 * they were shown to, used once. Expired ones are removed by a scheduled sweep (the embedded store has no TTL).
 */
@Service
public class DuplicateMatches implements ErasureStep {

    static final Duration VALID_FOR = Duration.ofDays(14);
    /** A token as issued: 32 bytes, base64url without padding. */
    public static final String TOKEN_PATTERN = "[A-Za-z0-9_-]{43}";

    private final SecureRandom random = new SecureRandom();
    private final MongoTemplate mongo;
    private final Clock clock;

    DuplicateMatches(MongoTemplate mongo, Clock clock) {
        this.mongo = mongo;
        this.clock = clock;
        // A token redeemed by exactly its id and agency: served by index on the embedded store too.
        GuardIndexes.declare(mongo, mongo.getCollectionName(DuplicateMatch.class), "agencyId");
    }

    /** A new token standing for {@code learnerId}, for {@code agencyId} only. */
    String issue(String agencyId, String learnerId, Set<String> matchedOn) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        mongo.insert(new DuplicateMatch(hash(token), agencyId, learnerId, Set.copyOf(matchedOn), now,
                now.plus(VALID_FOR)));
        return token;
    }

    /**
     * The match {@code token} stands for, if {@code agencyId} was shown it, it has not expired and it is not taken for
     * another of the agency's records: taken now for {@code forRecord} (one atomic write), so it serves that record
     * only. Not used up: {@link #useUp} does that once what it was for is written, so that a stop or a failed write
     * between the two leaves the token for a retry for the same record, instead of neither the token nor what it was
     * for.
     */
    public Optional<DuplicateMatch> take(String agencyId, String token, String forRecord) {
        if (token == null || !token.matches(TOKEN_PATTERN)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Query free = Query.query(Criteria.where("_id").is(hash(token)).and("agencyId").is(agencyId)
                .orOperator(Criteria.where(TAKEN_FOR).exists(false), Criteria.where(TAKEN_FOR).is(forRecord)));
        return Optional.ofNullable(mongo.findAndModify(free, new Update().set(TAKEN_FOR, forRecord),
                        FindAndModifyOptions.options().returnNew(true), DuplicateMatch.class))
                .filter(match -> match.isRedeemableBy(agencyId, now));
    }

    /** The record a token was taken for ({@link #take}); not part of the match itself. */
    private static final String TAKEN_FOR = "takenFor";

    /**
     * Uses up {@code token} of {@code agencyId} (nothing when it is gone already). A failure is only logged: what it
     * was for is written, and the token, taken for that record, serves nothing else until it expires.
     */
    public void useUp(String agencyId, String token) {
        if (token != null && token.matches(TOKEN_PATTERN)) {
            try {
                mongo.remove(Query.query(Criteria.where("_id").is(hash(token)).and("agencyId").is(agencyId)),
                        DuplicateMatch.class);
            } catch (org.springframework.dao.DataAccessException kept) {
                org.slf4j.LoggerFactory.getLogger(DuplicateMatches.class)
                        .warn("A used match token was not removed ({}); it expires on its own",
                                kept.getClass().getSimpleName());
            }
        }
    }

    /** Forgets the tokens standing for erased learners. */
    @Override
    public void forget(Collection<String> learnerIds) {
        mongo.remove(Query.query(Criteria.where("learnerId").in(learnerIds)), DuplicateMatch.class);
    }

    @Scheduled(fixedDelayString = "${pathways.learners.match-token-sweep:1h}", initialDelayString = "1m")
    void removeExpired() {
        mongo.remove(Query.query(Criteria.where("expiresAt").lte(clock.instant())), DuplicateMatch.class);
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
