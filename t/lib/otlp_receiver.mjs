// SPDX-License-Identifier: MIT
// t/lib/otlp_receiver.mjs MODE DIR: an OTLP/HTTP traces receiver on
// 127.0.0.1 for t/6022-trace.t, on a port the kernel picks (written to
// DIR/port once it listens).
//
//   MODE ok      POST /v1/traces with an OTLP JSON ExportTraceServiceRequest:
//                each is decoded with the official OpenTelemetry protocol
//                definitions (the protobufjs root generated from
//                opentelemetry-proto that @opentelemetry/otlp-transformer
//                ships) and checked: hex ids made bytes, fromObject, encode,
//                decode, toObject, ids back to hex, and the result must
//                equal what was sent, so an unknown, misspelt or mistyped
//                field fails. Every span of a good request is appended to
//                DIR/spans.jsonl as one line (its resource's service.name
//                beside it); a bad one goes to DIR/invalid.log and is
//                answered 400.
//   MODE silent  accepts connections and reads requests, never answers:
//                a collector that hangs.
//
// Runs until killed. Bounded input: a body over 8 MiB is refused.
import { createServer } from "node:http";
import { appendFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const [mode, dir] = process.argv.slice(2);
if (!["ok", "silent"].includes(mode) || !dir) {
  console.error("usage: otlp_receiver.mjs ok|silent DIR");
  process.exit(2);
}

const require = createRequire(import.meta.url);
const root = require("@opentelemetry/otlp-transformer/build/src/generated/root");
const Req = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

const ID_FIELDS = ["traceId", "spanId", "parentSpanId"];
const HEX = { traceId: 32, spanId: 16, parentSpanId: 16 };

// Walks o, replacing the id fields of spans (and links) by f(name, value).
function mapIds(o, f) {
  if (Array.isArray(o)) return o.map((x) => mapIds(x, f));
  if (o === null || typeof o !== "object") return o;
  const out = {};
  for (const [k, v] of Object.entries(o))
    out[k] = ID_FIELDS.includes(k) ? f(k, v) : mapIds(v, f);
  return out;
}

// JSON with keys sorted, for comparing two trees.
function canon(o) {
  if (Array.isArray(o)) return `[${o.map(canon).join(",")}]`;
  if (o !== null && typeof o === "object")
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canon(o[k])}`).join(",")}}`;
  return JSON.stringify(o);
}

function check(sent) {
  const asBytes = mapIds(sent, (k, v) => {
    if (typeof v !== "string" || !new RegExp(`^[0-9a-f]{${HEX[k]}}$`).test(v))
      throw new Error(`${k} is not ${HEX[k]} lowercase hex: ${JSON.stringify(v)}`);
    return Buffer.from(v, "hex");
  });
  const err = Req.verify(Req.fromObject(asBytes));
  if (err) throw new Error(`verify: ${err}`);
  const wire = Req.encode(Req.fromObject(asBytes)).finish();
  const back = Req.toObject(Req.decode(wire), { longs: String, enums: Number, bytes: String });
  const hex = mapIds(back, (k, v) => Buffer.from(v, "base64").toString("hex"));
  if (canon(hex) !== canon(sent))
    throw new Error(`not the same after a protobuf round trip:\n sent ${canon(sent)}\n back ${canon(hex)}`);
  return hex;
}

const server = createServer((req, res) => {
  if (mode === "silent") return; // never answers
  const chunks = [];
  let size = 0;
  req.on("data", (c) => {
    size += c.length;
    if (size <= 8 << 20) chunks.push(c);
  });
  req.on("end", () => {
    try {
      if (req.method !== "POST" || req.url !== "/v1/traces")
        throw new Error(`unexpected ${req.method} ${req.url}`);
      if (!/^application\/json/.test(req.headers["content-type"] || ""))
        throw new Error(`content-type ${req.headers["content-type"]}`);
      if (size > 8 << 20) throw new Error("body over 8 MiB");
      const msg = check(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      for (const rs of msg.resourceSpans || []) {
        const svc = (rs.resource?.attributes || []).find((a) => a.key === "service.name");
        for (const ss of rs.scopeSpans || [])
          for (const s of ss.spans || [])
            appendFileSync(`${dir}/spans.jsonl`,
              JSON.stringify({ service: svc?.value?.stringValue, scope: ss.scope?.name, ...s }) + "\n");
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end("{}");
    } catch (e) {
      appendFileSync(`${dir}/invalid.log`, `${e.message}\n`);
      res.writeHead(400, { "Content-Type": "text/plain" });
      res.end(e.message);
    }
  });
});
server.listen(0, "127.0.0.1", () => {
  writeFileSync(`${dir}/port`, `${server.address().port}\n`);
});
