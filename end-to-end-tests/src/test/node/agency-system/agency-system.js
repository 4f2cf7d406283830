// A receiving agency's own system (a college MIS, say), written as an agency's developer would from Pathways'
// published docs: it takes the platform's webhooks, verifies each with the Standard Webhooks reference library
// (`standardwebhooks`) and the subscription's secret, refuses anything unsigned or altered with 401, and answers a
// referral handed off to its agency through the gateway's public API: RECEIVE (acknowledge), then ACCEPT, each at
// the version the last answer's ETag named. Everything else is plain Node (http, fetch).
//
// The endpoint must exist before the agency can subscribe it, and the subscription's "whsec_…" secret is shown only
// in the answer to subscribing: so the system starts listening first, and its first line on stdin is the secret (as
// an admin would paste it into the system's settings). Until then every delivery is answered 503 (retried later).
//
// It reports what it saw and did as JSON lines on stdout, the first {"kind":"listening","url":…}. It stops when its
// stdin closes (so it never outlives the process that started it).
//
// Environment: PATHWAYS_API (the gateway's base URL), AGENCY_ID (this system's agency), AGENCY_TOKEN (a bearer token
// of that agency).
import http from "node:http";
import readline from "node:readline";
import { Webhook, WebhookVerificationError } from "standardwebhooks";

const SUBMITTED = "org.pathways.referral.submitted.v1";
const { PATHWAYS_API: api, AGENCY_ID: agencyId, AGENCY_TOKEN: token } = process.env;
if (!api || !agencyId || !token) {
  console.error("set PATHWAYS_API, AGENCY_ID and AGENCY_TOKEN, then give the webhook secret on stdin");
  process.exit(2);
}

let webhook = null; // verifies with the subscription's secret, once given
const processed = new Set(); // webhook-ids already handled: deliveries are at least once
const report = (line) => console.log(JSON.stringify(line));

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8"); // the raw body: never re-serialised before verifying
    const headers = {
      "webhook-id": request.headers["webhook-id"] ?? "",
      "webhook-timestamp": request.headers["webhook-timestamp"] ?? "",
      "webhook-signature": request.headers["webhook-signature"] ?? "",
    };
    if (webhook === null) {
      report({ kind: "not-configured", webhookId: headers["webhook-id"] });
      response.writeHead(503, { "Retry-After": "5" }).end();
      return;
    }
    let event;
    try {
      event = webhook.verify(body, headers); // the signature and the 5-minute window; answers the parsed JSON
    } catch (error) {
      const reason = error instanceof WebhookVerificationError ? error.message : `unreadable: ${error.message}`;
      report({ kind: "rejected", webhookId: headers["webhook-id"], reason });
      response.writeHead(401).end();
      return;
    }
    if (processed.has(headers["webhook-id"])) {
      report({ kind: "duplicate", webhookId: headers["webhook-id"] });
      response.writeHead(200).end();
      return;
    }
    processed.add(headers["webhook-id"]);
    report({ kind: "verified", library: "standardwebhooks", webhookId: headers["webhook-id"],
      timestamp: headers["webhook-timestamp"], signature: headers["webhook-signature"],
      contentType: request.headers["content-type"] ?? null, specversion: event.specversion, id: event.id,
      type: event.type, subject: event.subject, body });
    response.writeHead(200).end(); // answer at once, act afterwards (Pathways waits 5 s at most)
    if (event.type === SUBMITTED && event.data?.receivingAgencyId === agencyId) {
      answer(event.subject).catch((error) => report({ kind: "failed", referralId: event.subject,
        error: String(error?.message ?? error) }));
    }
  });
});

/** Acknowledges, then accepts the referral, each change at the version (ETag) the previous answer named. */
async function answer(referralId) {
  const url = `${api}/api/referrals/${encodeURIComponent(referralId)}`;
  const current = await call("GET", url);
  let etag = current.headers.get("etag");
  const steps = [];
  for (const action of ["RECEIVE", "ACCEPT"]) {
    const changed = await call("POST", `${url}/transitions`, { action }, etag);
    etag = changed.headers.get("etag");
    steps.push({ action, status: changed.body.status });
  }
  report({ kind: "answered", referralId, steps });
}

async function call(method, url, body, ifMatch) {
  const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (ifMatch) headers["If-Match"] = ifMatch;
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return { headers: response.headers, body: text ? JSON.parse(text) : null };
}

server.listen(0, "127.0.0.1", () => {
  report({ kind: "listening", url: `http://127.0.0.1:${server.address().port}/webhooks` });
});
const settings = readline.createInterface({ input: process.stdin });
settings.once("line", (secret) => {
  webhook = new Webhook(secret.trim());
  report({ kind: "configured" });
});
settings.on("close", () => process.exit(0));
