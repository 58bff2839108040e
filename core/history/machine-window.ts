/**
 * Machine-traffic verdicts for imported opens and clicks, by the same classifier as live tracking:
 * the request rules of machine-traffic.ts and, for clicks, the context rules of click-context.ts
 * over one recipient's opens and clicks of one email (honeypot, burst, after-machine,
 * no-open-before). A click's verdict can depend on later clicks (a burst or a honeypot re-flags the
 * earlier ones), so a recipient's opens and clicks of an email are held together until the file's
 * time has moved `windowMs` past the last of them, then classified as a whole and released.
 *
 * Memory is bounded whatever the file's size: at most `maxGroups` groups are open (the oldest is
 * closed early when another opens) and a group closes when it reaches `maxPerGroup` entries. The
 * file is usually in time order; an open or click that comes after its group was closed starts a
 * new group and is classified without the earlier ones (docs/history-import.md, "limits").
 */
import { classifyRecipientClicks, type ClickContextRules, type ClickFacts, type SeenOpen } from '../tracking/click-context.ts';
import { classifyOpen, type MachineReason } from '../tracking/machine-traffic.ts';
import type { KnownNetworks } from '../tracking/networks/known-networks.ts';
import type { HistoryEntry } from './history-line.ts';

export interface WindowItem {
  entry: HistoryEntry;
  contactId: string;
}

export interface Classified<T extends WindowItem> {
  item: T;
  machine: boolean;
  machineReason?: string;
  /** A click's link, numbered in the order the group's distinct links were first seen. */
  linkPosition?: number;
}

export interface MachineWindowOptions {
  /** A group closes when the file's time is this far past its last entry (default 15 minutes). */
  windowMs?: number;
  /** Open groups at most (default 20,000). */
  maxGroups?: number;
  /** Entries per group at most (default 500). */
  maxPerGroup?: number;
  rules?: Partial<ClickContextRules>;
  networks?: KnownNetworks;
}

// Longer than every look-back of the context rules (after-machine: 10 min; honeypot: 5 min).
export const DEFAULT_WINDOW_MS = 15 * 60_000;
export const DEFAULT_MAX_GROUPS = 20_000;
export const DEFAULT_MAX_PER_GROUP = 500;

interface Group<T extends WindowItem> {
  items: T[];
  lastAt: number;
}

export class MachineTrafficWindow<T extends WindowItem> {
  private readonly groups = new Map<string, Group<T>>();
  private fileTime = Number.NEGATIVE_INFINITY;
  private readonly windowMs: number;
  private readonly maxGroups: number;
  private readonly maxPerGroup: number;

  constructor(private readonly options: MachineWindowOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.maxGroups = options.maxGroups ?? DEFAULT_MAX_GROUPS;
    this.maxPerGroup = options.maxPerGroup ?? DEFAULT_MAX_PER_GROUP;
  }

  /** Opens and clicks wait in their group; every other entry comes straight back. Returns what is ready. */
  add(item: T): Classified<T>[] {
    const at = Date.parse(item.entry.occurredAt);
    this.fileTime = Math.max(this.fileTime, at);
    if (item.entry.type !== 'open' && item.entry.type !== 'click') return [{ item, machine: false }, ...this.closeExpired()];
    const key = JSON.stringify([item.contactId, item.entry.messageId ?? null, item.entry.messageId === undefined ? (item.entry.campaignId ?? null) : null]);
    const ready: Classified<T>[] = [];
    let group = this.groups.get(key);
    if (group) this.groups.delete(key);
    else {
      group = { items: [], lastAt: at };
      if (this.groups.size >= this.maxGroups) ready.push(...this.closeOldest());
    }
    group.items.push(item);
    group.lastAt = Math.max(group.lastAt, at);
    // Re-inserted, so the map runs from the group touched longest ago to the latest.
    if (group.items.length >= this.maxPerGroup) ready.push(...this.classify(group));
    else this.groups.set(key, group);
    return [...ready, ...this.closeExpired()];
  }

  /** Closes every group: the end of the file. */
  flush(): Classified<T>[] {
    const ready = [...this.groups.values()].flatMap((group) => this.classify(group));
    this.groups.clear();
    return ready;
  }

  /** Opens and clicks held back now. */
  get held(): number {
    let count = 0;
    for (const group of this.groups.values()) count += group.items.length;
    return count;
  }

  private closeExpired(): Classified<T>[] {
    const ready: Classified<T>[] = [];
    for (const [key, group] of this.groups) {
      if (this.fileTime - group.lastAt <= this.windowMs) break;
      this.groups.delete(key);
      ready.push(...this.classify(group));
    }
    return ready;
  }

  private closeOldest(): Classified<T>[] {
    const first = this.groups.entries().next();
    if (first.done) return [];
    this.groups.delete(first.value[0]);
    return this.classify(first.value[1]);
  }

  private classify(group: Group<T>): Classified<T>[] {
    const networks = this.options.networks;
    const opens: SeenOpen[] = [];
    const verdicts = new Map<T, Classified<T>>();
    for (const item of group.items) {
      if (item.entry.type !== 'open') continue;
      const verdict = classifyOpen({ method: item.entry.method ?? 'GET', userAgent: item.entry.userAgent, ip: item.entry.ip }, networks);
      opens.push({ at: new Date(item.entry.occurredAt), machine: verdict.machine });
      verdicts.set(item, verdict.machine ? { item, machine: true, machineReason: verdict.reason } : { item, machine: false });
    }
    const clicks = group.items.filter((item) => item.entry.type === 'click');
    if (clicks.length > 0) {
      const positions = new Map<string, number>();
      const facts: ClickFacts[] = clicks.map((item) => {
        const link = item.entry.link ?? '';
        if (!positions.has(link)) positions.set(link, positions.size);
        return {
          at: new Date(item.entry.occurredAt),
          method: item.entry.method ?? 'GET',
          ip: item.entry.ip,
          userAgent: item.entry.userAgent,
          linkPosition: positions.get(link) as number,
          honeypot: item.entry.honeypot === true,
        };
      });
      const sentAt = clicks.find((item) => item.entry.sentAt !== undefined)?.entry.sentAt;
      const { final } = classifyRecipientClicks({ sentAt: sentAt === undefined ? undefined : new Date(sentAt), opens, clicks: facts }, this.options.rules ?? {}, networks);
      clicks.forEach((item, index) => {
        const verdict = final[index];
        const linkPosition = (facts[index] as ClickFacts).linkPosition;
        verdicts.set(item, verdict?.machine ? { item, machine: true, machineReason: verdict.reason, linkPosition } : { item, machine: false, linkPosition });
      });
    }
    return group.items.map((item) => verdicts.get(item) as Classified<T>);
  }
}

export type { MachineReason };
