/** How every service's Kafka clients authenticate to the broker (SASL/SCRAM, TLS), from the environment. */
package org.pathways.messaging.broker;
