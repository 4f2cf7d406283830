package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Lines as the services (Spring Boot's console format) and the Kafka broker (slf4j-simple) really write them. */
class ConsoleFilterTest {

    private static final String SPRING_INFO = "2026-12-02T02:34:49.140Z  INFO 15320 --- [learner-profile-service] "
            + "[           main] o.s.b.w.e.tomcat.TomcatWebServer         : Tomcat started on port 8081 (http)";
    private static final String SPRING_WARN = "2026-12-02T02:35:19.085Z  WARN 15320 --- [learner-profile-service] "
            + "[           main] o.s.core.events.SpringDocAppInitializer  : SpringDoc /v3/api-docs endpoint is enabled";
    private static final String SPRING_ERROR = "2026-12-02T02:45:33.319Z ERROR 32605 --- [progression-service] "
            + "[           main] o.s.cloud.stream.binding.BindingService  : Failed to create consumer binding";
    private static final String STACK_LINE = "\tat org.springframework.cloud.stream.binder.kafka.provisioning"
            + ".KafkaTopicProvisioner.retrieveTopicDescriptions(KafkaTopicProvisioner.java:324)";
    private static final String KAFKA_INFO = "[main] INFO kafka.server.KafkaRaftServer - [KafkaRaftServer nodeId=1] "
            + "Kafka Server started";
    private static final String KAFKA_WARN = "02:35:17.652 [quorum-controller-1-event-handler] WARN "
            + "org.apache.kafka.controller.QuorumController - Performing controller activation.";

    private static List<String> shown(ConsoleFilter filter, String... lines) {
        return java.util.Arrays.stream(lines).filter(filter::show).toList();
    }

    @Test
    void showsWarningsAndErrorsWithTheirStackTracesAndHidesTheRest() {
        List<String> shown = shown(ConsoleFilter.problemsOnly(), "  .   ____          _", SPRING_INFO, STACK_LINE,
                SPRING_WARN, SPRING_INFO, SPRING_ERROR, "", STACK_LINE, "Caused by: java.net.ConnectException",
                SPRING_INFO, "  continuation of an INFO line");

        assertThat(shown).containsExactly(SPRING_WARN, SPRING_ERROR, "", STACK_LINE,
                "Caused by: java.net.ConnectException");
    }

    @Test
    void readsTheBrokersFormatToo() {
        assertThat(shown(ConsoleFilter.problemsOnly(), KAFKA_INFO, KAFKA_WARN, KAFKA_INFO))
                .containsExactly(KAFKA_WARN);
    }

    @Test
    void theTraceViewersFilterShowsItsErrorsButNotItsWarnings() {
        // Zipkin's own warning, as it wrote it on a devstack start (2026-12-05), once the services' spans arrived.
        String zipkinWarn = "2026-12-05T02:45:57.030Z  WARN [/] 7752 --- [           main] "
                + "i.m.p.PrometheusMeterRegistry            : A MeterFilter is being configured after a Meter has been "
                + "registered to this registry.";

        // After an error, so that the warning is seen to start an event of its own (not continue the error).
        assertThat(shown(ConsoleFilter.errorsOnly(), SPRING_INFO, SPRING_ERROR, STACK_LINE, zipkinWarn,
                "  its continuation", SPRING_INFO)).containsExactly(SPRING_ERROR, STACK_LINE);
    }

    @Test
    void verboseShowsEverything() {
        String[] lines = {"banner", SPRING_INFO, STACK_LINE, SPRING_WARN, KAFKA_INFO};

        assertThat(shown(ConsoleFilter.everything(), lines)).containsExactly(lines);
    }

    @Test
    void recognisesTheLevelOfEachFormat() {
        assertThat(ConsoleFilter.levelOf(SPRING_INFO)).isEqualTo("INFO");
        assertThat(ConsoleFilter.levelOf(SPRING_ERROR)).isEqualTo("ERROR");
        assertThat(ConsoleFilter.levelOf(KAFKA_WARN)).isEqualTo("WARN");
        assertThat(ConsoleFilter.levelOf(KAFKA_INFO)).isEqualTo("INFO");
        assertThat(ConsoleFilter.levelOf(STACK_LINE)).isNull();
        assertThat(ConsoleFilter.levelOf("a message that mentions WARN in passing")).isNull();
    }
}
