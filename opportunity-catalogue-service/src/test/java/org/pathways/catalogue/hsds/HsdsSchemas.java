package org.pathways.catalogue.hsds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import org.pathways.testing.HttpApi;
import tools.jackson.databind.JsonNode;

/**
 * The compiled HSDS 3.0 schemas of the partnership's shared standards folder beside the checkout
 * ({@code ../shared/standards/hsds-3.0/compiled}; nothing is copied into the project), with format assertions on.
 * {@code null} from {@link #load()} when the folder is not there.
 */
record HsdsSchemas(Schema service, Schema organization) {

    static HsdsSchemas load() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path compiled = dir.resolve(Path.of("shared", "standards", "hsds-3.0", "compiled"));
            if (Files.isRegularFile(compiled.resolve("service.json"))) {
                SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                        builder -> builder.schemaRegistryConfig(
                                SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
                try {
                    return new HsdsSchemas(
                            registry.getSchema(HttpApi.JSON.readTree(Files.readString(compiled.resolve("service.json")))),
                            registry.getSchema(HttpApi.JSON.readTree(
                                    Files.readString(compiled.resolve("organization.json")))));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return null;
    }

    static List<String> errors(Schema schema, JsonNode node) {
        return schema.validate(node).stream().map(Object::toString).toList();
    }
}
