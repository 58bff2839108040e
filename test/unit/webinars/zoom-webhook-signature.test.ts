/** Zoom webhook signatures: good ones pass; tampered, stale, replayed or header-less ones do not. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signAsZoom, verifyZoomSignature, zoomUrlValidationAnswer } from '../../../core/webinars/zoom-webhook-signature.ts';

const SECRET = 'zoom-secret-token-0123456789';
const now = new Date('2026-12-10T06:00:00Z');
const body = JSON.stringify({ event: 'webinar.participant_joined', event_ts: now.getTime(), payload: { object: { id: '81234567890', participant: { email: 'sato@example.co.jp', join_time: '2026-12-10T05:01:00Z' } } } });

describe('verifyZoomSignature', () => {
  it('accepts what Zoom signs, computed independently of the signer', () => {
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    expect(signAsZoom(body, SECRET, now)).toEqual({ timestamp, signature });
    expect(verifyZoomSignature({ rawBody: body, timestamp, signature }, SECRET, now)).toEqual({ ok: true });
  });

  it('refuses a changed body (even re-serialised JSON), another secret, a missing header, a stale or future timestamp', () => {
    const signed = signAsZoom(body, SECRET, now);
    const check = (rawBody: string, headers: { timestamp?: string; signature?: string }, secret = SECRET, at = now) =>
      verifyZoomSignature({ rawBody, timestamp: headers.timestamp, signature: headers.signature }, secret, at);
    expect(check(JSON.stringify(JSON.parse(body), null, 2), signed)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(check(body.replace('sato', 'suzuki'), signed)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(check(body, signed, 'another-secret-0123456789')).toEqual({ ok: false, reason: 'bad-signature' });
    expect(check(body, { timestamp: signed.timestamp })).toEqual({ ok: false, reason: 'missing-headers' });
    expect(check(body, { ...signed, timestamp: 'yesterday' })).toEqual({ ok: false, reason: 'bad-timestamp' });
    // Replayed six minutes later, or sent from a clock six minutes ahead.
    expect(check(body, signed, SECRET, new Date(now.getTime() + 6 * 60_000))).toEqual({ ok: false, reason: 'stale' });
    expect(check(body, signed, SECRET, new Date(now.getTime() - 6 * 60_000))).toEqual({ ok: false, reason: 'stale' });
    // A signature for another timestamp does not become valid by changing the header.
    const later = signAsZoom(body, SECRET, new Date(now.getTime() + 60_000));
    expect(check(body, { timestamp: signed.timestamp, signature: later.signature })).toEqual({ ok: false, reason: 'bad-signature' });
  });
});

describe('zoomUrlValidationAnswer', () => {
  it('answers the challenge with the plain token and its hex HMAC', () => {
    expect(zoomUrlValidationAnswer('qgg8vlvZRS6UYooatFL8Aw', SECRET)).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    });
  });
});
