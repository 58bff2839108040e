/**
 * Click rules that look at what the recipient did before with the same email: the honeypot link,
 * bursts across links, follow-ups from a machine's address, and the weak "no open before" signal,
 * on top of the request rules. Scanner clicks left in would count as engagement and send
 * contacts down the "clicked" branch of a sequence; people's clicks flagged would be lost.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyClickInContext,
  classifyRecipientClicks,
  type ClickFacts,
  type EarlierClick,
  type SeenOpen,
} from '../../../core/tracking/click-context.ts';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.5 Mobile/15E148 Safari/604.1';
const PERSON_IP = '198.51.100.7';
const SANDBOX_IP = '34.86.1.2';
const sentAt = new Date('2026-12-02T01:00:00Z');
const after = (seconds: number) => new Date(sentAt.getTime() + seconds * 1000);

const click = (seconds: number, linkPosition: number, extra: Partial<ClickFacts> = {}): ClickFacts => ({
  at: after(seconds),
  ip: PERSON_IP,
  userAgent: CHROME,
  linkPosition,
  honeypot: false,
  ...extra,
});
const earlier = (facts: ClickFacts, machine: false | EarlierClick['verdict'] = false): EarlierClick => ({ ...facts, verdict: machine || { machine: false } });
const humanOpen = (seconds: number): SeenOpen => ({ at: after(seconds), machine: false });
const judge = (facts: ClickFacts, context: { earlierClicks?: EarlierClick[]; opens?: SeenOpen[] } = {}) =>
  classifyClickInContext(facts, { sentAt, earlierClicks: context.earlierClicks ?? [], opens: context.opens ?? [] });

describe('a person', () => {
  it('who opened and clicks a link later is a person, with no weak signal', () => {
    expect(judge(click(3_600, 0), { opens: [humanOpen(3_000)] })).toEqual({ verdict: { machine: false, weakSignals: [] }, revise: [] });
  });

  it('who clicks one link hours later without a recorded open (images blocked, Apple MPP) is still a person', () => {
    expect(judge(click(3_600, 0)).verdict).toEqual({ machine: false, weakSignals: ['no-open-before'] });
    // An MPP prefetch is a machine open: it says nothing about the person, either way.
    expect(judge(click(3_600, 0, { userAgent: SAFARI, ip: '104.28.28.5' }), { opens: [{ at: after(5), machine: true }] }).verdict).toEqual({ machine: false, weakSignals: ['no-open-before'] });
  });

  it('who clicks the same link twice within a second (double click, Safe Links re-check) is not a burst', () => {
    const first = earlier(click(600, 2));
    expect(judge(click(600.4, 2), { earlierClicks: [first], opens: [humanOpen(500)] }).verdict.machine).toBe(false);
  });

  it('right after a scanner hit the same link from its own network stays a person (Safe Links time of click)', () => {
    const scanner = earlier(click(900, 1, { ip: '40.107.22.9' }), { machine: true, reason: 'scanner-network' });
    expect(judge(click(900.3, 1), { earlierClicks: [scanner], opens: [humanOpen(800)] }).verdict).toEqual({ machine: false, weakSignals: [] });
  });
});

describe('request rules', () => {
  it('are the ones of machine-traffic.ts', () => {
    expect(judge(click(3_600, 0, { method: 'HEAD' })).verdict).toMatchObject({ machine: true, reason: 'head-request' });
    expect(judge(click(3_600, 0, { userAgent: 'python-requests/2.31.0' })).verdict).toMatchObject({ machine: true, reason: 'bot' });
    expect(judge(click(3_600, 0, { ip: '205.139.110.4' })).verdict).toMatchObject({ machine: true, reason: 'scanner-network' });
    expect(judge(click(4, 0)).verdict).toMatchObject({ machine: true, reason: 'too-fast' });
  });
});

describe('honeypot', () => {
  it('marks the trap click and its whole sweep, whatever the timing', () => {
    const sweep = [earlier(click(7_200, 0, { ip: SANDBOX_IP })), earlier(click(7_203, 1, { ip: '34.86.9.9' })), earlier(click(7_207, 2, { ip: SANDBOX_IP }))];
    const result = judge(click(7_210, 5, { ip: SANDBOX_IP, honeypot: true }), { earlierClicks: sweep });
    expect(result.verdict).toMatchObject({ machine: true, reason: 'honeypot' });
    expect(result.revise).toEqual(sweep.map((other) => ({ click: other, reason: 'honeypot' })));
  });

  it('also marks earlier clicks from the same address and agent minutes before, but not another client or clicks long before', () => {
    const sameClient = earlier(click(7_000, 0, { ip: SANDBOX_IP }));
    const person = earlier(click(7_100, 1));
    const longBefore = earlier(click(1_000, 2, { ip: SANDBOX_IP }));
    const alreadyMachine = earlier(click(7_150, 3, { ip: SANDBOX_IP, userAgent: 'curl/8.5.0' }), { machine: true, reason: 'bot' });
    const result = judge(click(7_200, 5, { ip: SANDBOX_IP, honeypot: true }), { earlierClicks: [longBefore, sameClient, person, alreadyMachine] });
    expect(result.revise.map(({ click }) => click)).toEqual([sameClient]);
  });
});

describe('burst', () => {
  it('marks two different links within 2 s, and the earlier click of the burst', () => {
    const first = earlier(click(7_200, 0, { ip: SANDBOX_IP }));
    const result = judge(click(7_201.5, 3, { ip: '34.86.9.9' }), { earlierClicks: [first], opens: [humanOpen(7_000)] });
    expect(result.verdict).toMatchObject({ machine: true, reason: 'burst' });
    expect(result.revise).toEqual([{ click: first, reason: 'burst' }]);
  });

  it('re-flags the earlier click of a burst also when the new one is machine by its request', () => {
    const first = earlier(click(7_200, 0, { ip: SANDBOX_IP }));
    const result = judge(click(7_201, 1, { ip: SANDBOX_IP, userAgent: 'python-requests/2.31.0' }), { earlierClicks: [first], opens: [humanOpen(7_000)] });
    expect(result).toEqual({ verdict: { machine: true, reason: 'bot', weakSignals: [] }, revise: [{ click: first, reason: 'burst' }] });
  });

  it('leaves links clicked seconds apart alone', () => {
    const first = earlier(click(7_200, 0));
    expect(judge(click(7_203, 3), { earlierClicks: [first], opens: [humanOpen(7_000)] }).verdict.machine).toBe(false);
  });
});

describe('after a machine click', () => {
  const machineClick = earlier(click(3, 0, { ip: SANDBOX_IP }), { machine: true, reason: 'too-fast' });

  it('a follow-up from the same address and agent within minutes is machine', () => {
    expect(judge(click(240, 1, { ip: SANDBOX_IP }), { earlierClicks: [machineClick], opens: [humanOpen(100)] }).verdict).toMatchObject({ machine: true, reason: 'after-machine' });
  });

  it('another address or agent, or much later, is judged on its own', () => {
    expect(judge(click(240, 1), { earlierClicks: [machineClick], opens: [humanOpen(100)] }).verdict.machine).toBe(false);
    expect(judge(click(240, 1, { ip: SANDBOX_IP, userAgent: SAFARI }), { earlierClicks: [machineClick], opens: [humanOpen(100)] }).verdict.machine).toBe(false);
    expect(judge(click(3_600, 1, { ip: SANDBOX_IP }), { earlierClicks: [machineClick], opens: [humanOpen(100)] }).verdict.machine).toBe(false);
  });

  it('compares client keys instead of addresses when both clicks carry one (stores that keep no addresses)', () => {
    const keyed = earlier(click(3, 0, { ip: undefined, userAgent: undefined, clientKey: 'k1' }), { machine: true, reason: 'too-fast' });
    expect(judge(click(240, 1, { clientKey: 'k1' }), { earlierClicks: [keyed], opens: [humanOpen(100)] }).verdict).toMatchObject({ machine: true, reason: 'after-machine' });
    expect(judge(click(240, 1, { clientKey: 'k2' }), { earlierClicks: [keyed], opens: [humanOpen(100)] }).verdict.machine).toBe(false);
  });

  it('a verdict from weak signals alone does not spread to follow-ups', () => {
    const weak = earlier(click(30, 0), { machine: true, reason: 'no-open-before' });
    expect(judge(click(240, 1), { earlierClicks: [weak], opens: [humanOpen(200)] }).verdict.machine).toBe(false);
  });
});

describe('no open before', () => {
  it('marks a click only together with another weak signal by default', () => {
    expect(judge(click(40, 0)).verdict).toEqual({ machine: true, reason: 'no-open-before', weakSignals: ['no-open-before', 'early'] });
    expect(judge(click(40, 0), { opens: [humanOpen(20)] }).verdict).toEqual({ machine: false, weakSignals: ['early'] });
    const twoBefore = [earlier(click(7_200, 0)), earlier(click(7_220, 1))];
    expect(judge(click(7_240, 2), { earlierClicks: twoBefore }).verdict).toEqual({ machine: true, reason: 'no-open-before', weakSignals: ['no-open-before', 'many-links'] });
  });

  it('can be switched off or made to decide alone', () => {
    const facts = click(40, 0);
    const context = { sentAt, earlierClicks: [], opens: [] };
    expect(classifyClickInContext(facts, context, { noOpenBefore: 'off' }).verdict.machine).toBe(false);
    expect(classifyClickInContext(click(3_600, 0), context, { noOpenBefore: 'alone' }).verdict).toMatchObject({ machine: true, reason: 'no-open-before' });
  });

  it('ignores opens and clicks after the click being judged', () => {
    const later = earlier(click(41, 1));
    expect(judge(click(40, 0), { opens: [humanOpen(45)], earlierClicks: [later] }).verdict).toEqual({ machine: true, reason: 'no-open-before', weakSignals: ['no-open-before', 'early'] });
  });
});

describe('classifyRecipientClicks', () => {
  it('replays clicks in time order and re-flags a sweep once its honeypot click arrives', () => {
    const clicks = [click(7_203, 1, { ip: SANDBOX_IP }), click(7_200, 0, { ip: SANDBOX_IP }), click(7_206, 4, { ip: SANDBOX_IP, honeypot: true }), click(7_209, 2, { ip: SANDBOX_IP })];
    const { atClickTime, final } = classifyRecipientClicks({ sentAt, opens: [], clicks });
    expect(atClickTime.map((verdict) => verdict.machine)).toEqual([false, false, true, true]);
    expect(final.map((verdict) => (verdict.machine ? verdict.reason : 'person'))).toEqual(['honeypot', 'honeypot', 'honeypot', 'after-machine']);
  });

  const activity = fc.record({
    opens: fc.array(fc.record({ at: fc.integer({ min: 0, max: 20_000 }), machine: fc.boolean() }), { maxLength: 3 }),
    clicks: fc.uniqueArray(
      fc.record({
        at: fc.integer({ min: 0, max: 20_000 }),
        link: fc.integer({ min: 0, max: 4 }),
        client: fc.constantFrom(0, 1, 2),
        honeypot: fc.integer({ min: 0, max: 4 }).map((draw) => draw === 0),
        method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD'),
      }),
      { selector: (entry) => entry.at, maxLength: 8 },
    ),
  });
  const clients = [
    { ip: PERSON_IP, userAgent: CHROME },
    { ip: SANDBOX_IP, userAgent: CHROME },
    { ip: '203.0.113.9', userAgent: SAFARI },
  ];
  type Generated = typeof activity extends fc.Arbitrary<infer T> ? T : never;
  const toActivity = (generated: Generated) => ({
    sentAt,
    opens: generated.opens.map((open) => ({ at: after(open.at / 10), machine: open.machine })),
    clicks: generated.clicks.map((entry) => click(entry.at / 10, entry.link, { ...clients[entry.client], honeypot: entry.honeypot, method: entry.method })),
  });

  it('gives every click the same verdicts whatever order the clicks are listed in', () => {
    fc.assert(
      fc.property(activity, fc.infiniteStream(fc.nat()), (generated, keys) => {
        const input = toActivity(generated);
        const sortKeys = input.clicks.map(() => keys.next().value as number);
        const order = input.clicks.map((_, index) => index).sort((a, b) => (sortKeys[a] as number) - (sortKeys[b] as number) || a - b);
        const shuffled = { ...input, clicks: order.map((index) => input.clicks[index] as ClickFacts) };
        const direct = classifyRecipientClicks(input).final;
        const viaShuffle = classifyRecipientClicks(shuffled).final;
        order.forEach((original, position) => expect(viaShuffle[position]).toEqual(direct[original]));
      }),
    );
  });

  it('judges a click at its time without looking at later clicks', () => {
    fc.assert(
      fc.property(activity, (generated) => {
        const input = toActivity(generated);
        const whole = classifyRecipientClicks(input).atClickTime;
        const byTime = input.clicks.map((_, index) => index).sort((a, b) => (input.clicks[a] as ClickFacts).at.getTime() - (input.clicks[b] as ClickFacts).at.getTime());
        byTime.forEach((index, rank) => {
          const prefix = byTime.slice(0, rank + 1).map((kept) => input.clicks[kept] as ClickFacts);
          const alone = classifyRecipientClicks({ ...input, clicks: prefix }).atClickTime;
          expect(alone[rank]).toEqual(whole[index]);
        });
      }),
    );
  });

  it('final verdicts only add honeypot and burst re-flags to the verdicts given at each click', () => {
    fc.assert(
      fc.property(activity, (generated) => {
        const { atClickTime, final } = classifyRecipientClicks(toActivity(generated));
        atClickTime.forEach((verdict, index) => {
          if (verdict.machine) expect(final[index]).toEqual(verdict);
          else if (final[index]?.machine) expect(['honeypot', 'burst']).toContain((final[index] as { reason: string }).reason);
        });
      }),
    );
  });

  it('a person open before every click never turns a person into a machine', () => {
    fc.assert(
      fc.property(activity, (generated) => {
        const input = toActivity(generated);
        const withOpen = { ...input, opens: [...input.opens, { at: after(0), machine: false }] };
        const before = classifyRecipientClicks(input).final;
        const afterOpen = classifyRecipientClicks(withOpen).final;
        before.forEach((verdict, index) => {
          if (!verdict.machine) expect(afterOpen[index]?.machine).toBe(false);
        });
      }),
    );
  });
});
