// An agency's outside consumer, written as an agency's developer would: kafkajs reads Pathways' topics and the
// CloudEvents JavaScript SDK's Kafka binding (Kafka.toEvent) turns each record into a CloudEvent, validated against
// the CloudEvents 1.0 spec. Reads every record up to each partition's end (as it was when it started) and prints one
// JSON report on stdout: what it recognised, and what it refused and why.
//
// Usage: node consumer.js <bootstrap servers> <topic>[,<topic>...]
import { Kafka as KafkaClient, logLevel } from "kafkajs";
import { Kafka } from "cloudevents";

const [brokers, topicList] = process.argv.slice(2);
if (!brokers || !topicList) {
  console.error("usage: node consumer.js <bootstrap servers> <topic>[,<topic>...]");
  process.exit(2);
}
const topics = topicList.split(",");
const client = new KafkaClient({ clientId: "agency-cloudevents-consumer", brokers: brokers.split(","),
  logLevel: logLevel.NOTHING });

// Where each partition ends now: the consumer stops once it has read up to there.
const admin = client.admin();
await admin.connect();
const remaining = new Map();
for (const topic of topics) {
  for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
    if (BigInt(high) > BigInt(low)) remaining.set(`${topic}/${partition}`, BigInt(high) - 1n);
  }
}
await admin.disconnect();

const recognised = [];
const refused = [];
const consumer = client.consumer({ groupId: `agency-cloudevents-consumer-${process.pid}-${Date.now()}` });
await consumer.connect();
await consumer.subscribe({ topics, fromBeginning: true });

const done = new Promise((resolve) => {
  if (remaining.size === 0) resolve();
  consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const where = { topic, partition, offset: message.offset, key: message.key?.toString() ?? null };
      const headers = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        headers[name] = Array.isArray(value) ? value.at(-1)?.toString() : value?.toString();
      }
      try {
        const event = Kafka.toEvent({ key: where.key, value: message.value?.toString(), headers,
          timestamp: message.timestamp });
        event.validate(); // the SDK's own check of the CloudEvents 1.0 attributes
        const structured = JSON.parse(message.value.toString());
        recognised.push({ ...where, id: event.id, type: event.type, source: event.source, subject: event.subject,
          partitionkey: structured.partitionkey ?? null, contentType: headers["content-type"] ?? null,
          dataschema: event.dataschema, hasData: event.data !== undefined });
      } catch (error) {
        refused.push({ ...where, error: String(error?.message ?? error), errors: error?.errors ?? undefined,
          headers: Object.keys(headers) });
      }
      const last = remaining.get(`${topic}/${partition}`);
      if (last !== undefined && BigInt(message.offset) >= last) {
        remaining.delete(`${topic}/${partition}`);
        if (remaining.size === 0) resolve();
      }
    },
  });
});
const timeout = new Promise((_, reject) => setTimeout(
  () => reject(new Error(`timed out; partitions not read to the end: ${[...remaining.keys()].join(", ")}`)), 60000));
try {
  await Promise.race([done, timeout]);
  console.log(JSON.stringify({ sdk: "cloudevents (JavaScript) Kafka binding", recognised, refused }));
} finally {
  await consumer.disconnect();
}
process.exit(0);
