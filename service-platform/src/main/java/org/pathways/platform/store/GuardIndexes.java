package org.pathways.platform.store;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.data.domain.Sort;
import org.springframework.data.mapping.context.MappingContext;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.index.IndexField;
import org.springframework.data.mongodb.core.mapping.MongoPersistentEntity;
import org.springframework.data.mongodb.core.mapping.MongoPersistentProperty;

/**
 * Unique indexes on {@code _id} and the field a write is guarded by (a version, an owner, an agency), for every
 * query that names a document by {@code _id} and checks one more field: the optimistic-locking save of every entity
 * with a {@code @Version} (Spring Data writes {@code {_id, version}}), and the guarded writes a service declares with
 * {@link #declare}.
 *
 * <p>Real MongoDB answers such a query from the {@code _id} index already; the index is unique anyway (it leads with
 * {@code _id}) and costs one small entry per document. It is there for the embedded store, which serves a query from
 * an index only when the query's fields are exactly the index's: without it, each of these writes reads the whole
 * collection, so every save gets slower as the data grows (measured: 0.5 ms against 28–75 ms per guarded update at
 * 50,000 documents).
 */
public class GuardIndexes implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(GuardIndexes.class);

    private final MongoTemplate mongo;

    public GuardIndexes(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    /**
     * Declares the unique index on {@code _id} and {@code fields} (in that order) of {@code collection}, unless one on
     * exactly those fields is there already (under whatever name: MongoDB refuses the same keys under a second name).
     */
    public static void declare(MongoTemplate mongo, String collection, String... fields) {
        var indexes = mongo.indexOps(collection);
        List<String> keys = new ArrayList<>(List.of("_id"));
        keys.addAll(List.of(fields));
        boolean present = indexes.getIndexInfo().stream().anyMatch(index -> index.getIndexFields().stream()
                .map(IndexField::getKey).toList().equals(keys));
        if (!present) {
            Index index = new Index().unique().named(String.join("_", keys).replace('.', '_') + "_guard");
            keys.forEach(key -> index.on(key, Sort.Direction.ASC));
            indexes.createIndex(index);
        }
    }

    /** At start, for every mapped entity with a version: its {@code {_id, version}} guard. */
    @Override
    public void afterSingletonsInstantiated() {
        MappingContext<? extends MongoPersistentEntity<?>, MongoPersistentProperty> context =
                mongo.getConverter().getMappingContext();
        int declared = 0;
        for (MongoPersistentEntity<?> entity : context.getPersistentEntities()) {
            MongoPersistentProperty version = entity.getVersionProperty();
            if (version != null && entity.getCollection() != null) {
                declare(mongo, entity.getCollection(), version.getFieldName());
                declared++;
            }
        }
        log.debug("Declared the version guard index of {} versioned collections", declared);
    }
}
