/**
 * Zoom webhook authenticity: `x-zm-signature` is `v0=` + hex HMAC-SHA256 of
 * `v0:{x-zm-request-timestamp}:{raw body}` keyed with the app's secret token, over the raw bytes
 * (re-serialised JSON would not match). A request older or newer than the replay window is
 * refused even with a good signature, so a captured request cannot be replayed later. The
 * `endpoint.url_validation` challenge is answered with the plain token and its HMAC (hex).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Zoom's header carries epoch seconds; five minutes either way absorbs clock skew, not replays. */
export const ZOOM_REPLAY_WINDOW_SECONDS = 300;

export interface ZoomSignedRequest {
  rawBody: string;
  /** The `x-zm-request-timestamp` header, as sent. */
  timestamp: string | undefined;
  /** The `x-zm-signature` header, as sent. */
  signature: string | undefined;
}

export type ZoomSignatureCheck = { ok: true } | { ok: false; reason: 'missing-headers' | 'bad-timestamp' | 'stale' | 'bad-signature' };

export function verifyZoomSignature(request: ZoomSignedRequest, secretToken: string, now: Date, windowSeconds = ZOOM_REPLAY_WINDOW_SECONDS): ZoomSignatureCheck {
  const { timestamp, signature, rawBody } = request;
  if (!timestamp || !signature) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,13}$/.test(timestamp)) return { ok: false, reason: 'bad-timestamp' };
  // Seconds, as Zoom sends; a 13-digit value is milliseconds from a client that misread the docs.
  const sentAtMs = timestamp.length >= 13 ? Number(timestamp) : Number(timestamp) * 1000;
  if (Math.abs(now.getTime() - sentAtMs) > windowSeconds * 1000) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(`v0=${createHmac('sha256', secretToken).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'bad-signature' };
}

/** The answer to `endpoint.url_validation`: Zoom checks `encryptedToken` = hex HMAC-SHA256 of the plain token. */
export function zoomUrlValidationAnswer(plainToken: string, secretToken: string): { plainToken: string; encryptedToken: string } {
  return { plainToken, encryptedToken: createHmac('sha256', secretToken).update(plainToken).digest('hex') };
}

/** Signs a body as Zoom does: for the local replay of webhooks (demo, tests, benches). */
export function signAsZoom(rawBody: string, secretToken: string, at: Date): { timestamp: string; signature: string } {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  return { timestamp, signature: `v0=${createHmac('sha256', secretToken).update(`v0:${timestamp}:${rawBody}`).digest('hex')}` };
}
