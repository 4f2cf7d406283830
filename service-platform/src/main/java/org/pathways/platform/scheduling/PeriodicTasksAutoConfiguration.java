package org.pathways.platform.scheduling;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Each of a service's periodic tasks on a thread of its own, so that none can hold up another. With virtual threads
 * on (every service), Spring Boot's scheduler runs all fixed-delay tasks ({@code @Scheduled(fixedDelay…)}: the outbox
 * sweep, e-mail sending, the inbox's erasure retries, the dead-letter count…) one after another on its single
 * scheduler thread: a slow SMTP server delayed the outbox sweep, and once a slow dead-letter read held the webhooks'
 * circuit trials for 30 s. Here they run on a pool of platform threads, one made for each task scheduled up to
 * {@link #THREADS}, each idle between its task's runs; fixed-delay semantics are kept (a run starts its delay when it
 * ends). Used by {@code @Scheduled} and by whoever asks for the {@link TaskScheduler}.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration")
public class PeriodicTasksAutoConfiguration {

    /** More than any service schedules today (at most eight); beyond it, tasks would share threads again. */
    static final int THREADS = 16;

    @Bean(name = "taskScheduler")
    @ConditionalOnMissingBean(TaskScheduler.class)
    ThreadPoolTaskScheduler taskScheduler() {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(THREADS);
        scheduler.setThreadNamePrefix("periodic-");
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }
}
