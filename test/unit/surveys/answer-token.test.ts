/**
 * Survey answer links are signed per contact, survey, email and score: a changed score, contact or
 * survey is refused, and answer and link tokens cannot stand in for each other.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signToken, verifyToken } from '../../../core/tracking/link-token.ts';
import { answerLinksOf, signAnswerToken, verifyAnswerToken } from '../../../core/surveys/answer-token.ts';

const SECRET = 'test-secret';
const claims = { surveyId: 'nps-2026-h2', messageId: 'nps-survey', runId: '2027-01-19T01:00:00.000Z', contactId: 'c-17', score: 8 };

describe('answer tokens', () => {
  it('round-trips the claims, and refuses another secret', () => {
    expect(verifyAnswerToken(signAnswerToken(claims, SECRET), SECRET)).toEqual(claims);
    expect(verifyAnswerToken(signAnswerToken(claims, SECRET), 'other')).toBeUndefined();
  });

  it('refuses a token whose payload was changed (another score or contact)', () => {
    const token = signAnswerToken(claims, SECRET);
    const [, mac] = token.split('.');
    for (const changed of [{ ...claims, score: 10 }, { ...claims, contactId: 'c-18' }, { ...claims, surveyId: 'other' }]) {
      const [payload] = signAnswerToken(changed, SECRET).split('.');
      expect(verifyAnswerToken(`${payload}.${mac}`, SECRET)).toBeUndefined();
    }
    expect(verifyAnswerToken(`${token}x`, SECRET)).toBeUndefined();
    expect(verifyAnswerToken('', SECRET)).toBeUndefined();
  });

  it('is not a link token, and a link token is not an answer token', () => {
    expect(verifyToken(signAnswerToken(claims, SECRET), SECRET)).toBeUndefined();
    const click = signToken({ purpose: 'click', messageId: 'nps-survey', runId: 'r', contactId: 'c-17', link: 8 }, SECRET);
    expect(verifyAnswerToken(click, SECRET)).toBeUndefined();
  });

  it('never accepts a score outside 0-10 or a mangled token (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => verifyAnswerToken(text, SECRET) === undefined));
    expect(verifyAnswerToken(signAnswerToken({ ...claims, score: 11 }, SECRET), SECRET)).toBeUndefined();
  });

  it('gives a recipient eleven links, 0 to 10, each carrying its own score', () => {
    const links = answerLinksOf({ surveyId: claims.surveyId, messageId: claims.messageId, runId: claims.runId, contactId: claims.contactId }, { baseUrl: 'https://t.example.com', tokenSecret: SECRET });
    expect(links.map((link) => link.score)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const link of links) {
      expect(link.url.startsWith('https://t.example.com/s/')).toBe(true);
      expect(verifyAnswerToken(link.url.slice('https://t.example.com/s/'.length), SECRET)?.score).toBe(link.score);
    }
  });
});
