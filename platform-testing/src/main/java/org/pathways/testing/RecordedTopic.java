package org.pathways.testing;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link TopicRecorder} for the tests of one class, as a JUnit 5 extension: it starts reading the topic before the
 * class's first test and stops after its last, so a test class needs no set-up of its own:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RecordedTopic learnerTopic = new RecordedTopic(Topic.LEARNERS.topicName());
 * ...
 * learnerTopic.await(record -> ..., 1, EVENT_DEADLINE);
 * }</pre>
 *
 * The field must be static: one recorder serves every test of the class.
 */
public final class RecordedTopic implements BeforeAllCallback, AfterAllCallback {

    private final String topic;
    private TopicRecorder recorder;

    public RecordedTopic(String topic) {
        this.topic = topic;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        recorder = new TopicRecorder(topic);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (recorder != null) {
            recorder.close();
            recorder = null;
        }
    }

    /** {@link TopicRecorder#await}: polls until {@code count} records match, or the deadline passes. */
    public List<ConsumerRecord<String, byte[]>> await(Predicate<ConsumerRecord<String, byte[]>> matching, int count,
                                                      Duration deadline) {
        return recorder().await(matching, count, deadline);
    }

    /** {@link TopicRecorder#settle}: keeps polling for {@code quiet}, then returns every matching record seen. */
    public List<ConsumerRecord<String, byte[]>> settle(Predicate<ConsumerRecord<String, byte[]>> matching,
                                                       Duration quiet) {
        return recorder().settle(matching, quiet);
    }

    private TopicRecorder recorder() {
        if (recorder == null) {
            throw new IllegalStateException("The recorder of " + topic + " reads only while its test class runs: "
                    + "register it as a static @RegisterExtension field");
        }
        return recorder;
    }
}
