package org.pathways.progression.tally;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;

import org.bson.Document;

/**
 * The facts kept about one thing (a referral, a milestone, a learner, a delivery), as a document, with updates that
 * are commutative and idempotent ({@code min}, {@code max}, set-if-absent, add-to-set), so the facts are the same
 * whatever order their events arrive in and however often. Each update says whether it changed anything.
 */
public final class Facts {

    private final Document document;
    private boolean changed;

    Facts(Document document) {
        this.document = document;
    }

    public String id() {
        return document.getString("_id");
    }

    public boolean isNew() {
        return !document.containsKey(FactStore.VERSION);
    }

    boolean changed() {
        return changed;
    }

    Document document() {
        return document;
    }

    public String string(String field) {
        return document.getString(field);
    }

    public Date date(String field) {
        return document.getDate(field);
    }

    public int integer(String field, int otherwise) {
        Object value = document.get(field);
        return value instanceof Number n ? n.intValue() : otherwise;
    }

    public boolean flag(String field) {
        return Boolean.TRUE.equals(document.get(field));
    }

    public List<String> strings(String field) {
        return document.getList(field, String.class, List.of());
    }

    /** Sets {@code field} unless it already has a value (the first value seen wins). */
    public Facts setIfAbsent(String field, Object value) {
        if (value != null && document.get(field) == null) {
            document.put(field, value);
            changed = true;
        }
        return this;
    }

    /** Sets {@code field} (the latest value wins: only for values every event of the thing carries alike). */
    public Facts set(String field, Object value) {
        if (value != null && !Objects.equals(document.get(field), value)) {
            document.put(field, value);
            changed = true;
        }
        return this;
    }

    public Facts min(String field, Date value) {
        Date now = document.getDate(field);
        if (value != null && (now == null || value.before(now))) {
            document.put(field, value);
            changed = true;
        }
        return this;
    }

    public Facts max(String field, int value) {
        if (integer(field, Integer.MIN_VALUE) < value) {
            document.put(field, value);
            changed = true;
        }
        return this;
    }

    public Facts flag(String field, boolean value) {
        if (value && !flag(field)) {
            document.put(field, true);
            changed = true;
        }
        return this;
    }

    public Facts addToSet(String field, String value) {
        if (value == null) {
            return this;
        }
        List<String> values = new ArrayList<>(strings(field));
        if (!values.contains(value)) {
            values.add(value);
            document.put(field, values);
            changed = true;
        }
        return this;
    }

    /** Removes {@code values} from the list {@code field} (the field itself once empty). */
    public Facts removeAll(String field, java.util.Collection<String> values) {
        List<String> kept = new ArrayList<>(strings(field));
        if (kept.removeAll(values)) {
            changed = true;
            if (kept.isEmpty()) {
                document.remove(field);
            } else {
                document.put(field, kept);
            }
        }
        return this;
    }

    public Facts remove(String field) {
        if (document.remove(field) != null) {
            changed = true;
        }
        return this;
    }
}
