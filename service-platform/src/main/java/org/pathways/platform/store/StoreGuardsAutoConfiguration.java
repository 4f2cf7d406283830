package org.pathways.platform.store;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * Every service that keeps data in MongoDB gets the {@code {_id, version}} guard index of its versioned entities
 * ({@link GuardIndexes}). Off with {@code pathways.store.guard-indexes=false}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.mongodb.autoconfigure.DataMongoAutoConfiguration")
@ConditionalOnClass(MongoTemplate.class)
@ConditionalOnBean(MongoTemplate.class)
@ConditionalOnProperty(name = "pathways.store.guard-indexes", havingValue = "true", matchIfMissing = true)
public class StoreGuardsAutoConfiguration {

    @Bean
    GuardIndexes guardIndexes(MongoTemplate mongo) {
        return new GuardIndexes(mongo);
    }
}
