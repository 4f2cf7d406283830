package org.pathways.messaging.broker;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertyResolver;

/**
 * How a service authenticates to Kafka, from its environment, for every client it makes: the binder's producers (the
 * outbox relay), consumers and admin client, and any client built from Spring Boot's {@code spring.kafka.*}
 * ({@code KafkaProperties}). Unset, clients speak plaintext without credentials, as the tests' shared broker and an
 * unsecured local broker expect. Set:
 * <ul>
 *   <li>{@code KAFKA_SECURITY_PROTOCOL}: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (default PLAINTEXT, or
 *   SASL_PLAINTEXT when credentials are given);</li>
 *   <li>{@code KAFKA_SASL_USERNAME} / {@code KAFKA_SASL_PASSWORD}: the service's principal (a SCRAM user);</li>
 *   <li>{@code KAFKA_SASL_MECHANISM}: SCRAM-SHA-512 (default), SCRAM-SHA-256 or PLAIN;</li>
 *   <li>{@code KAFKA_SSL_TRUSTSTORE_LOCATION} (a PEM file of CA certificates, e.g. Strimzi's {@code ca.crt}, or a
 *   PKCS12/JKS store), {@code KAFKA_SSL_TRUSTSTORE_TYPE} (PEM for .crt/.pem files, else PKCS12) and
 *   {@code KAFKA_SSL_TRUSTSTORE_PASSWORD}: whom to trust under SSL / SASL_SSL (default: the JVM's trust store).</li>
 * </ul>
 * The properties are added with the lowest precedence, so an explicit {@code spring.kafka.*} setting still wins.
 * A JAAS line cannot be written with a placeholder per credential and be left out when there is none, hence code.
 */
public class BrokerSecurity implements EnvironmentPostProcessor {

    static final String PROPERTY_SOURCE = "pathwaysBrokerSecurity";
    private static final String KAFKA = "spring.kafka.properties.";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> properties = clientProperties(environment);
        if (!properties.isEmpty()) {
            environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE, properties));
        }
    }

    /** The {@code spring.kafka.*} settings the environment asks for; empty for a plaintext broker. */
    static Map<String, Object> clientProperties(PropertyResolver environment) {
        Map<String, Object> properties = new LinkedHashMap<>();
        String username = value(environment, "KAFKA_SASL_USERNAME");
        String password = value(environment, "KAFKA_SASL_PASSWORD");
        String protocol = value(environment, "KAFKA_SECURITY_PROTOCOL");
        if (protocol == null && username != null) {
            protocol = "SASL_PLAINTEXT";
        }
        if (protocol != null) {
            protocol = protocol.toUpperCase(Locale.ROOT);
            properties.put("spring.kafka.security.protocol", protocol);
        }
        if (protocol != null && protocol.startsWith("SASL_")) {
            if (username == null || password == null) {
                throw new IllegalStateException("KAFKA_SECURITY_PROTOCOL is " + protocol
                        + ": set KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD to the service's Kafka user");
            }
            String mechanism = value(environment, "KAFKA_SASL_MECHANISM");
            mechanism = mechanism == null ? "SCRAM-SHA-512" : mechanism.toUpperCase(Locale.ROOT);
            String loginModule = switch (mechanism) {
                case "SCRAM-SHA-512", "SCRAM-SHA-256" -> "org.apache.kafka.common.security.scram.ScramLoginModule";
                case "PLAIN" -> "org.apache.kafka.common.security.plain.PlainLoginModule";
                default -> throw new IllegalStateException("KAFKA_SASL_MECHANISM " + mechanism
                        + " is not supported: use SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN");
            };
            properties.put(KAFKA + "sasl.mechanism", mechanism);
            properties.put(KAFKA + "sasl.jaas.config", loginModule + " required username=\"" + quoted(username)
                    + "\" password=\"" + quoted(password) + "\";");
        } else if (username != null) {
            throw new IllegalStateException("KAFKA_SASL_USERNAME is set but KAFKA_SECURITY_PROTOCOL is " + protocol
                    + ": credentials need SASL_PLAINTEXT or SASL_SSL");
        }
        String trustStore = value(environment, "KAFKA_SSL_TRUSTSTORE_LOCATION");
        if (trustStore != null) {
            String type = value(environment, "KAFKA_SSL_TRUSTSTORE_TYPE");
            if (type == null) {
                String lower = trustStore.toLowerCase(Locale.ROOT);
                type = lower.endsWith(".crt") || lower.endsWith(".pem") ? "PEM" : "PKCS12";
            }
            properties.put(KAFKA + "ssl.truststore.location", trustStore);
            properties.put(KAFKA + "ssl.truststore.type", type);
            String trustStorePassword = value(environment, "KAFKA_SSL_TRUSTSTORE_PASSWORD");
            if (trustStorePassword != null) {
                properties.put(KAFKA + "ssl.truststore.password", trustStorePassword);
            }
        }
        return properties;
    }

    private static String value(PropertyResolver environment, String name) {
        String value = environment.getProperty(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** JAAS option values are double-quoted strings: a quote or backslash in a password must not end them. */
    private static String quoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
