package org.pathways.platform.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * A periodic task that hangs (a slow SMTP server, a dead-letter read that waits) does not hold up a service's other
 * periodic tasks, with virtual threads on as every service runs. With Spring Boot's own scheduler in its place, the
 * other task never runs again once the hanging one has started (checked by removing this module's configuration).
 */
class PeriodicTasksTest {

    private final ApplicationContextRunner service = new ApplicationContextRunner()
            .withPropertyValues("spring.threads.virtual.enabled=true")
            .withConfiguration(AutoConfigurations.of(PeriodicTasksAutoConfiguration.class,
                    TaskSchedulingAutoConfiguration.class))
            .withUserConfiguration(TwoTasks.class);

    @Test
    void aTaskThatHangsDoesNotHoldUpTheOthers() {
        service.run(context -> {
            TwoTasks tasks = context.getBean(TwoTasks.class);
            try {
                assertThat(tasks.hanging.await(10, TimeUnit.SECONDS)).as("the hanging task started").isTrue();
                int before = tasks.runsOfTheOther.get();
                await().atMost(Duration.ofSeconds(10)).until(() -> tasks.runsOfTheOther.get() >= before + 3);
            } finally {
                tasks.release.countDown();
            }
        });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    static class TwoTasks {

        final CountDownLatch hanging = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger runsOfTheOther = new AtomicInteger();

        @Scheduled(fixedDelay = 10)
        void hangs() throws InterruptedException {
            hanging.countDown();
            release.await(30, TimeUnit.SECONDS);
        }

        @Scheduled(fixedDelay = 10)
        void runsOften() {
            runsOfTheOther.incrementAndGet();
        }
    }
}
