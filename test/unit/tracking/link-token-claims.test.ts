/** Click tokens carry the link position and link set; older tokens still read; altered ones never do. */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signToken, verifyToken, type TokenClaims } from '../../../core/tracking/link-token.ts';

const secret = 'a-secret-of-enough-length';
const click: TokenClaims = { purpose: 'click', messageId: 'monthly-newsletter', runId: '20261202T010000Z', contactId: 'con-00001', link: 3, linkSet: 'Ab3_-xYz09AbCdEf' };

describe('click token claims', () => {
  it('round-trips position and link set', () => {
    expect(verifyToken(signToken(click, secret), secret)).toEqual(click);
  });

  it('still reads tokens signed without a link set, exactly as before', () => {
    const { linkSet: _none, ...old } = click;
    const token = signToken(old, secret);
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toHaveLength(5);
    expect(verifyToken(token, secret)).toEqual(old);
  });

  it('refuses a link set or position that is not well-formed, even when signed', () => {
    const forge = (fields: unknown[]) => {
      const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
      const mac = signToken({ ...click }, secret).split('.')[1];
      return `${payload}.${mac}`;
    };
    // Signed with the right secret (as only we could) but with odd fields: the schema still refuses them.
    const signed = (fields: unknown[]) => {
      const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
      return `${payload}.${createHmac('sha256', secret).update(payload).digest().subarray(0, 16).toString('base64url')}`;
    };
    expect(verifyToken(forge(['click', 'm', 'r', 'c', '1', 'set']), secret)).toBeUndefined();
    expect(verifyToken(signed(['click', 'm', 'r', 'c', '1e2', 'set']), secret)).toBeUndefined();
    expect(verifyToken(signed(['click', 'm', 'r', 'c', '-1', 'set']), secret)).toBeUndefined();
    expect(verifyToken(signed(['click', 'm', 'r', 'c', '1', 'bad/set']), secret)).toBeUndefined();
    expect(verifyToken(signed(['click', 'm', 'r', 'c', '1', 'set', 'extra']), secret)).toBeUndefined();
    expect(verifyToken(signed(['click', 'm', 'r', 'c', '1', 'set']), secret)).toMatchObject({ link: 1, linkSet: 'set' });
  });

  it('refuses every token that differs from a genuine one, including other spellings of its signature', () => {
    const token = signToken(click, secret);
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/!'), (index, replacement) => {
        fc.pre(token[index] !== replacement);
        const altered = token.slice(0, index) + replacement + token.slice(index + 1);
        expect(verifyToken(altered, secret)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
    expect(verifyToken(`${token}=`, secret)).toBeUndefined();
    expect(verifyToken(`${token}!`, secret)).toBeUndefined();
  });
});
