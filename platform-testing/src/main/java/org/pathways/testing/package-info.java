/**
 * Test infrastructure shared by every module: one real Apache Kafka broker (KRaft, in the test JVM) and one
 * MongoDB-wire store per JVM, reached through the real Kafka client and MongoDB driver; tokens signed like the
 * devstack's; a recorder that reads what really landed on a topic; and a log of the queries a service sends to
 * MongoDB, with the rule that checks each is served by a declared index.
 */
package org.pathways.testing;
