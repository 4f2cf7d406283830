package org.pathways.web.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON object of the API's, as templates read it: a field the API left out (it omits nulls, and shows each caller
 * only the fields it may see) reads as null, as a missing field does in JSON, instead of failing the page.
 */
public final class ApiObject extends LinkedHashMap<String, Object> {

    public ApiObject() {
        super();
    }

    public ApiObject(Map<String, ?> fields) {
        fields.forEach((name, value) -> put(name, wrap(value)));
    }

    /** Every name is readable; an absent one is null (Spring's MapAccessor asks this before reading). */
    @Override
    public boolean containsKey(Object key) {
        return key instanceof String || super.containsKey(key);
    }

    /** Objects and arrays all the way down become {@link ApiObject}s and lists of them. */
    @SuppressWarnings("unchecked")
    public static Object wrap(Object value) {
        if (value instanceof ApiObject) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            return new ApiObject((Map<String, ?>) map);
        }
        if (value instanceof List<?> list) {
            List<Object> wrapped = new ArrayList<>(list.size());
            list.forEach(item -> wrapped.add(wrap(item)));
            return wrapped;
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> wrapAll(List<Map<String, Object>> list) {
        return (List<Map<String, Object>>) wrap(list);
    }

    public static ApiObject of(Map<String, ?> fields) {
        return fields == null ? new ApiObject() : new ApiObject(fields);
    }
}
