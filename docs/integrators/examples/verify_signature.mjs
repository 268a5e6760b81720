// Verify a Konsensus webhook (Standard Webhooks, v1 signatures) with Node's own crypto.
//
//     KONSENSUS_WEBHOOK_SECRET=whsec_... node verify_signature.mjs headers.json body
//
// prints the event's type when the request is genuine, and exits 1 when it is not.
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

// How far the sender's clock may be from ours; an older request may be a replay.
const TOLERANCE_SECONDS = 5 * 60;

export class InvalidWebhook extends Error {}

// The event, if `body` (a Buffer: the bytes as received, not parsed and serialised again)
// and `headers` are what the service signed with `secret` (the whsec_... value given when
// the subscription was made).
export function verifyWebhook(secret, headers, body, now = Date.now() / 1000) {
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  const id = lower["webhook-id"];
  const timestamp = lower["webhook-timestamp"];
  const signatures = lower["webhook-signature"];
  if (!id || !timestamp || !signatures) throw new InvalidWebhook("a webhook header is missing");
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > TOLERANCE_SECONDS) {
    throw new InvalidWebhook("the timestamp is too old or too new");
  }
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key)
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest();
  // "v1,<base64>" separated by spaces: more than one while the secret is being rotated.
  const matches = signatures
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => Buffer.from(s.slice(3), "base64"))
    .some((offered) => offered.length === expected.length && timingSafeEqual(offered, expected));
  if (!matches) throw new InvalidWebhook("no signature matches");
  return JSON.parse(body.toString("utf8"));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [headersFile, bodyFile] = process.argv.slice(2);
  const headers = JSON.parse(readFileSync(headersFile, "utf8"));
  try {
    const event = verifyWebhook(
      process.env.KONSENSUS_WEBHOOK_SECRET,
      headers,
      readFileSync(bodyFile),
    );
    console.log(event.type);
  } catch (error) {
    if (!(error instanceof InvalidWebhook)) throw error;
    console.error(`refused: ${error.message}`);
    process.exit(1);
  }
}
