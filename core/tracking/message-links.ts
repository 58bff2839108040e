/**
 * The links of a sent email, stored once per link set so the click redirect can look its target
 * up by position: the target of a click always comes from here, never from the request.
 * A link set is named by a digest of its targets, so the emails of one run share one stored list
 * per locale, and an email with personalised links gets its own.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { localeSchema } from '../config/schema/common.ts';

const trackedUrlSchema = z.url({ protocol: /^https?$/ });

export const messageLinksSchema = z.strictObject({
  /** Campaign id, or sequence id for sequence steps (what sends are filed under). */
  messageId: z.string().min(1),
  runId: z.string().min(1),
  linkSet: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
  locale: localeSchema,
  /** Targets in the order they appear in the email; a click token names a position. */
  links: z.array(trackedUrlSchema).min(1),
  /**
   * The position of the email's invisible trap link (honeypot-link.ts), always the last one so the
   * content links keep their positions. Absent in link sets stored before it existed.
   */
  honeypot: z.number().int().min(0).optional(),
  savedAt: z.iso.datetime(),
}).refine((set) => set.honeypot === undefined || set.honeypot === set.links.length - 1, {
  path: ['honeypot'],
  message: 'the honeypot must be the last link of the set',
});

export type MessageLinks = z.infer<typeof messageLinksSchema>;

/** Clicks per link position, people and machines (scanners, previews) apart. */
export interface LinkClickCounts {
  human: number[];
  machine: number[];
}

export type StoredMessageLinks = MessageLinks & { clicks: LinkClickCounts };

/**
 * Which stored list a click token refers to: the same targets in the same order give the same id.
 * A set with a honeypot digests its position too, so it never shares an id with a set without one.
 */
export function linkSetId(links: readonly string[], honeypot?: number): string {
  const digested = honeypot === undefined ? JSON.stringify(links) : JSON.stringify({ links, honeypot });
  return createHash('sha256').update(digested).digest('base64url').slice(0, 16);
}
