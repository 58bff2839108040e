/**
 * Imported opens and clicks get the live classifier's verdicts: Apple MPP opens and a scanner's
 * burst or honeypot sweep are machine, a person's open and click are not. The window must give the
 * same verdicts as classifying the recipient's whole activity at once while it fits, and hold a
 * bounded number of entries whatever the file's length.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../core/history/history-line.ts';
import { MachineTrafficWindow, type Classified, type WindowItem } from '../../../core/history/machine-window.ts';
import { classifyRecipientClicks } from '../../../core/tracking/click-context.ts';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const sentAt = Date.parse('2026-10-01T00:00:00Z');
const entry = (type: 'open' | 'click' | 'delivery', seconds: number, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({
  format: 'jsonl',
  contact: { contactId: 'c1' },
  type,
  occurredAt: new Date(sentAt + seconds * 1000).toISOString(),
  messageId: 'm1',
  sentAt: new Date(sentAt).toISOString(),
  userAgent: CHROME,
  ip: '203.0.113.5',
  identity: `${type}-${seconds}-${extra.link ?? ''}`,
  ...extra,
});
const item = (value: HistoryEntry, contactId = 'c1'): WindowItem => ({ entry: value, contactId });
const run = (items: WindowItem[], options = {}) => {
  const window = new MachineTrafficWindow<WindowItem>(options);
  const out: Classified<WindowItem>[] = [];
  for (const value of items) out.push(...window.add(value));
  out.push(...window.flush());
  return out;
};
const verdictOf = (out: Classified<WindowItem>[], value: WindowItem) => out.find((classified) => classified.item === value);

describe('machine verdicts of imported opens and clicks', () => {
  it('flags an Apple MPP open, not a person’s open and click', () => {
    const mpp = item(entry('open', 3, { userAgent: 'Mozilla/5.0', ip: '17.58.1.2' }));
    const open = item(entry('open', 1800));
    const click = item(entry('click', 1850, { link: 'https://example.com/a' }));
    const out = run([mpp, open, click]);
    expect(verdictOf(out, mpp)).toMatchObject({ machine: true, machineReason: 'apple-mpp' });
    expect(verdictOf(out, open)?.machine).toBe(false);
    expect(verdictOf(out, click)).toMatchObject({ machine: false, linkPosition: 0 });
  });

  it("flags a scanner's burst, the first click of it included (a later click revises an earlier one)", () => {
    const clicks = ['a', 'b', 'c'].map((link, index) => item(entry('click', 3600 + index * 0.3, { link: `https://example.com/${link}` })));
    const out = run(clicks);
    expect(clicks.map((value) => verdictOf(out, value)?.machine)).toEqual([true, true, true]);
    expect(clicks.map((value) => verdictOf(out, value)?.linkPosition)).toEqual([0, 1, 2]);
  });

  it('flags the honeypot click and the click it swept', () => {
    const first = item(entry('click', 3600, { link: 'https://example.com/a' }));
    const trap = item(entry('click', 3604, { link: 'https://example.com/trap', honeypot: true }));
    const out = run([first, trap]);
    expect(verdictOf(out, trap)).toMatchObject({ machine: true, machineReason: 'honeypot' });
    expect(verdictOf(out, first)).toMatchObject({ machine: true, machineReason: 'honeypot' });
  });

  it('passes other events straight through and keeps recipients apart', () => {
    const delivery = item(entry('delivery', 1));
    const window = new MachineTrafficWindow<WindowItem>();
    expect(window.add(delivery)).toEqual([{ item: delivery, machine: false }]);
    // Two people each clicking one link a second apart is no burst.
    const out = run([item(entry('click', 3600, { link: 'https://example.com/a' }), 'c1'), item(entry('click', 3601, { link: 'https://example.com/b' }), 'c2')]);
    expect(out.map((classified) => classified.machine)).toEqual([false, false]);
  });

  it('property: while a recipient’s activity fits the window, the verdicts equal classifying it whole', () => {
    const activity = fc.array(fc.record({ open: fc.boolean(), seconds: fc.integer({ min: 0, max: 900 }), link: fc.integer({ min: 0, max: 3 }), mpp: fc.boolean() }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(activity, (steps) => {
        const ordered = [...steps].sort((a, b) => a.seconds - b.seconds);
        const items = ordered.map((step) =>
          item(step.open ? entry('open', step.seconds, step.mpp ? { userAgent: 'Mozilla/5.0', ip: '17.1.1.1' } : {}) : entry('click', step.seconds, { link: `https://example.com/${step.link}` })),
        );
        const out = run(items);
        const clicks = items.filter((value) => value.entry.type === 'click');
        const positions = new Map<string, number>();
        const whole = classifyRecipientClicks({
          sentAt: new Date(sentAt),
          opens: items.filter((value) => value.entry.type === 'open').map((value) => ({ at: new Date(value.entry.occurredAt), machine: value.entry.userAgent === 'Mozilla/5.0' })),
          clicks: clicks.map((value) => {
            const link = value.entry.link as string;
            if (!positions.has(link)) positions.set(link, positions.size);
            return { at: new Date(value.entry.occurredAt), ip: value.entry.ip, userAgent: value.entry.userAgent, linkPosition: positions.get(link) as number, honeypot: false };
          }),
        });
        expect(clicks.map((value) => verdictOf(out, value)?.machine)).toEqual(whole.final.map((verdict) => verdict.machine));
        expect(out).toHaveLength(items.length);
      }),
    );
  });

  it('holds a bounded number of entries, however many recipients and however long the file', () => {
    const window = new MachineTrafficWindow<WindowItem>({ maxGroups: 50, maxPerGroup: 10 });
    let released = 0;
    let peak = 0;
    for (let index = 0; index < 5000; index++) {
      // Not in time order and many recipients: only the bounds keep it small.
      released += window.add(item(entry('open', (index * 7919) % 600), `c${index % 400}`)).length;
      peak = Math.max(peak, window.held);
    }
    released += window.flush().length;
    expect(peak).toBeLessThanOrEqual(50 * 10);
    expect(released).toBe(5000);
  });
});
