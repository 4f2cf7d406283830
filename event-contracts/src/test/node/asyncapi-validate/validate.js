// Validates an AsyncAPI document with the official AsyncAPI parser (the one @asyncapi/cli uses) and its built-in
// ruleset. Prints every diagnostic as JSON on stdout; exits 1 on any error or warning, 0 when clean.
//
// Usage: node validate.js <asyncapi.yaml>
import { Parser, fromFile, DiagnosticSeverity } from "@asyncapi/parser";

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate.js <asyncapi.yaml>");
  process.exit(2);
}
const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, file).parse();
const named = { [DiagnosticSeverity.Error]: "error", [DiagnosticSeverity.Warning]: "warning",
  [DiagnosticSeverity.Information]: "information", [DiagnosticSeverity.Hint]: "hint" };
const findings = diagnostics.map((d) => ({ severity: named[d.severity] ?? String(d.severity), code: d.code,
  message: d.message, path: d.path.join("/") }));
const failing = findings.filter((f) => f.severity === "error" || f.severity === "warning");
console.log(JSON.stringify({ parser: "@asyncapi/parser", valid: document !== undefined && failing.length === 0,
  asyncapi: document?.version() ?? null, channels: document?.channels().length ?? 0,
  messages: document?.allMessages().length ?? 0, findings }, null, 1));
process.exit(document !== undefined && failing.length === 0 ? 0 : 1);
