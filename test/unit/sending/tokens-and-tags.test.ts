/** Link tokens refuse tampering; SES tag values round-trip any id; the rate limiter spaces sends. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTagValue, encodeTagValue } from '../../../core/sending/email-tags.ts';
import { SendRateLimiter } from '../../../core/sending/send-rate-limiter.ts';
import { signToken, verifyToken } from '../../../core/tracking/link-token.ts';

const secret = 'a-secret-of-enough-length';

describe('link tokens', () => {
  it('round-trips claims and refuses a token signed with another secret or altered', () => {
    const token = signToken({ purpose: 'unsubscribe', messageId: 'monthly-newsletter', runId: '20261202T010000Z', contactId: 'con-00001' }, secret);
    expect(verifyToken(token, secret)).toEqual({ purpose: 'unsubscribe', messageId: 'monthly-newsletter', runId: '20261202T010000Z', contactId: 'con-00001' });
    expect(verifyToken(token, 'another-secret-of-enough-length')).toBeUndefined();
    const [payload, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify(['unsubscribe', 'monthly-newsletter', '20261202T010000Z', 'con-00002', ''])).toString('base64url');
    expect(verifyToken(`${forged}.${mac}`, secret)).toBeUndefined();
    expect(verifyToken(`${payload}.${mac}x`, secret)).toBeUndefined();
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expect(verifyToken(text, secret)).toBeUndefined();
      }),
    );
  });
});

describe('SES tag values', () => {
  it('contain only what SES allows and decode back to the id', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), (id) => {
        const tag = encodeTagValue(id);
        expect(tag).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeTagValue(tag)).toBe(id);
      }),
    );
  });
});

describe('SendRateLimiter', () => {
  it('spaces sends at 1/rate, so N sends take (N-1)/rate seconds', async () => {
    let clock = 0;
    const limiter = new SendRateLimiter(20, { now: () => clock, sleep: async (ms) => void (clock += ms) });
    for (let i = 0; i < 101; i++) await limiter.acquire();
    expect(clock).toBeCloseTo(5000, 6);
  });
});
