package org.pathways.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoOperations;
import org.springframework.data.mongodb.core.index.IndexField;
import org.springframework.data.mongodb.core.index.IndexInfo;

/**
 * Decides whether the indexes MongoDB lists for a collection serve the queries a service really sent (recorded by
 * {@link MongoQueryLog}). The embedded store ignores non-unique indexes when querying, so this is what keeps the
 * declared ones honest for production.
 *
 * <p>"Served" follows MongoDB's equality-sort-range rule: a sorted query needs an index whose keys are some of its
 * equality fields followed by its sort keys (same or all reversed directions), so pages are read in index order; or,
 * for a range that is the selective part, an index whose keys are some of its equality fields followed by that range
 * (it finds exactly the matches, which are bounded and sorted in memory).
 * An unsorted query needs an index led by one of its fields. Either way the index must hold one of the query's
 * fields other than the {@code unselective} ones (e.g. {@code status}) if it has any, else it walks most of the
 * collection to find a few. An {@code $or} needs an index for each branch; {@code $nor}, {@code $exists},
 * {@code $regex} and the like choose no index and are ignored.
 */
public final class IndexCoverage {

    /** One key of an index or a sort: field and direction (1 or -1). */
    public record Key(String field, int direction) {
    }

    /** A query reduced to what index selection depends on: one conjunction of an $or's branches. */
    public record Shape(String collection, Set<String> equality, Set<String> range, List<Key> sort) {
    }

    private final Set<String> unselective;

    /** @param unselective fields with few distinct values: an index holding only those narrows nothing */
    public IndexCoverage(Set<String> unselective) {
        this.unselective = Set.copyOf(unselective);
    }

    /** The distinct shapes of the recorded reads. */
    public static Set<Shape> shapesOf(Collection<MongoQueryLog.Read> reads) {
        Set<Shape> shapes = new LinkedHashSet<>();
        reads.forEach(read -> shapes.addAll(shapes(read.collection(), read.filter(), read.sort())));
        return shapes;
    }

    /** The shapes no index that MongoDB lists for their collection serves, readably. */
    public List<String> unserved(MongoOperations mongo, Collection<Shape> shapes) {
        Map<String, List<List<Key>>> indexes = new LinkedHashMap<>();
        List<String> unserved = new ArrayList<>();
        for (Shape shape : shapes) {
            List<List<Key>> declared = indexes.computeIfAbsent(shape.collection(), c -> indexesOf(mongo, c));
            if (declared.stream().noneMatch(index -> serves(index, shape))) {
                unserved.add(shape.toString());
            }
        }
        return unserved;
    }

    /** The keys of every index MongoDB lists for the collection ({@code _id} included). */
    public static List<List<Key>> indexesOf(MongoOperations mongo, String collection) {
        List<List<Key>> found = new ArrayList<>();
        for (IndexInfo info : mongo.indexOps(collection).getIndexInfo()) {
            List<Key> keys = new ArrayList<>();
            for (IndexField field : info.getIndexFields()) {
                keys.add(new Key(field.getKey(), field.getDirection() == Sort.Direction.DESC ? -1 : 1));
            }
            found.add(keys);
        }
        return found;
    }

    public boolean serves(List<Key> index, Shape shape) {
        Set<String> fields = new HashSet<>(shape.equality());
        fields.addAll(shape.range());
        Set<String> selective = new HashSet<>(fields);
        selective.removeAll(unselective);
        if (!selective.isEmpty() && index.stream().noneMatch(key -> selective.contains(key.field()))) {
            return false;   // it would walk every document of an unselective value to find the few this query wants
        }
        if (shape.sort().isEmpty()) {
            return fields.isEmpty() || fields.contains(index.getFirst().field());
        }
        for (int prefix = 0; prefix <= index.size() - shape.sort().size(); prefix++) {
            if (prefix > 0 && !shape.equality().contains(index.get(prefix - 1).field())) {
                break;
            }
            if (sortMatches(index.subList(prefix, prefix + shape.sort().size()), shape.sort())) {
                return true;
            }
        }
        // Or the index finds exactly the matches (equality prefix, then a range) and they are sorted in memory.
        for (Key key : index) {
            if (shape.range().contains(key.field())) {
                return true;
            }
            if (!shape.equality().contains(key.field())) {
                return false;
            }
        }
        return false;
    }

    private static boolean sortMatches(List<Key> keys, List<Key> sort) {
        boolean same = true;
        boolean reversed = true;
        for (int i = 0; i < sort.size(); i++) {
            if (!keys.get(i).field().equals(sort.get(i).field())) {
                return false;
            }
            same &= keys.get(i).direction() == sort.get(i).direction();
            reversed &= keys.get(i).direction() == -sort.get(i).direction();
        }
        return same || reversed;
    }

    /** A filter and sort as the shapes (one per $or alternative) index selection sees. */
    public static List<Shape> shapes(String collection, BsonDocument filter, BsonDocument sort) {
        List<Key> keys = new ArrayList<>();
        sort.forEach((field, direction) -> keys.add(new Key(field, direction.asNumber().intValue() < 0 ? -1 : 1)));
        return conjunctions(filter, "").stream()
                .map(c -> new Shape(collection, c.get(0), c.get(1), List.copyOf(keys))).toList();
    }

    /** The alternatives a filter can be satisfied by, each as [equality fields, range fields]. */
    private static List<List<Set<String>>> conjunctions(BsonDocument filter, String prefix) {
        List<List<Set<String>>> alternatives = List.of(List.of(Set.of(), Set.of()));
        for (Map.Entry<String, BsonValue> entry : filter.entrySet()) {
            String key = entry.getKey();
            BsonValue value = entry.getValue();
            if (key.equals("$and")) {
                for (BsonValue part : value.asArray()) {
                    alternatives = cross(alternatives, conjunctions(part.asDocument(), prefix));
                }
            } else if (key.equals("$or")) {
                List<List<Set<String>>> branches = new ArrayList<>();
                value.asArray().forEach(branch -> branches.addAll(conjunctions(branch.asDocument(), prefix)));
                alternatives = cross(alternatives, branches);
            } else if (!key.startsWith("$")) {
                alternatives = cross(alternatives, field(prefix + key, value));
            }
        }
        return alternatives;
    }

    private static List<List<Set<String>>> field(String field, BsonValue value) {
        if (!value.isDocument() || value.asDocument().isEmpty()
                || !value.asDocument().getFirstKey().startsWith("$")) {
            return List.of(List.of(Set.of(field), Set.of()));
        }
        List<List<Set<String>>> alternatives = List.of(List.of(Set.of(), Set.of()));
        for (Map.Entry<String, BsonValue> operator : value.asDocument().entrySet()) {
            switch (operator.getKey()) {
                case "$eq", "$in", "$all" -> alternatives = cross(alternatives, List.of(List.of(Set.of(field),
                        Set.of())));
                case "$gt", "$gte", "$lt", "$lte", "$ne", "$nin" -> alternatives = cross(alternatives,
                        List.of(List.of(Set.of(), Set.of(field))));
                case "$elemMatch" -> alternatives = cross(alternatives, operator.getValue().asDocument().getFirstKey()
                        .startsWith("$") ? field(field, operator.getValue())
                        : conjunctions(operator.getValue().asDocument(), field + "."));
                default -> {
                    // $exists, $regex, $size, $not...: nothing an index is chosen for here.
                }
            }
        }
        return alternatives;
    }

    private static List<List<Set<String>>> cross(List<List<Set<String>>> left, List<List<Set<String>>> right) {
        List<List<Set<String>>> product = new ArrayList<>();
        for (List<Set<String>> a : left) {
            for (List<Set<String>> b : right) {
                Set<String> equality = new LinkedHashSet<>(a.get(0));
                equality.addAll(b.get(0));
                Set<String> range = new LinkedHashSet<>(a.get(1));
                range.addAll(b.get(1));
                product.add(List.of(equality, range));
            }
        }
        return product;
    }
}
