/**
 * Test infrastructure shared by every module: one real Apache Kafka broker (KRaft, in the test JVM) and one
 * MongoDB-wire store per JVM, reached through the real Kafka client and MongoDB driver; tokens signed like the
 * devstack's; a recorder that reads what really landed on a topic; and a log of the queries a service sends to
 * MongoDB, with the rule that checks each is served by a declared index. For service tests: the base every
 * {@code <Service>ServiceTest} extends ({@link org.pathways.testing.RunningServiceTest}), whether an event was handled
 * ({@link org.pathways.testing.HandledEvents}), an agency's webhook endpoint
 * ({@link org.pathways.testing.WebhookReceiver}) and a clock a test moves forward
 * ({@link org.pathways.testing.MutableClock}), and a store that fails the commands a test chooses
 * ({@link org.pathways.testing.StoreFaults}).
 */
package org.pathways.testing;
