/**
 * Test infrastructure shared by every module: one real Apache Kafka broker (KRaft, in the test JVM) and one
 * MongoDB-wire store per JVM, reached through the real Kafka client and MongoDB driver; tokens signed like the
 * devstack's; and a recorder that reads what really landed on a topic.
 */
package org.pathways.testing;
