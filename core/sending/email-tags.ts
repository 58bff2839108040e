/**
 * SES email tags carry campaign, run and contact so SES events can be joined back to the send,
 * and a signature over them (`sig`), so an event whose tags are trusted without reading the send
 * can only come from an email this engine tagged: anyone else sending through the configuration
 * set (another system, a forged tag set) cannot name one of our contacts.
 * Tag values allow only letters, digits, _ and -, so other characters are escaped reversibly
 * as _xx (lower-case hex of each UTF-8 byte); `_` itself is escaped too.
 *
 * Decoding is strict: every string has exactly one spelling, and a value the encoder could not
 * have written (`_2D`, `_2d` for '-', a lone `_`, bytes that are not UTF-8) decodes to nothing.
 * A lenient decoder would map many spellings onto one id, so a mangled or forged tag could name
 * another contact's id; refusing it sends the event to the message-id join instead.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const UNESCAPED = /^[A-Za-z0-9-]$/u;
const ESCAPE = /^[0-9a-f]{2}$/u;
// ignoreBOM keeps a leading U+FEFF: the encoder escapes it like any other character.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function encodeTagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9-]/gu, (char) =>
    [...Buffer.from(char, 'utf8')].map((byte) => `_${byte.toString(16).padStart(2, '0')}`).join(''),
  );
}

/**
 * The value `encodeTagValue` encoded into `tag`, or undefined when `tag` is not exactly what the
 * encoder writes for any string: such a tag was not set by our sender as it is, and is not trusted.
 */
export function decodeTagValue(tag: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < tag.length; i++) {
    const char = tag[i] as string;
    if (char === '_') {
      const hex = tag.slice(i + 1, i + 3);
      if (!ESCAPE.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (UNESCAPED.test(char)) {
      bytes.push(char.charCodeAt(0));
    } else {
      return undefined;
    }
  }
  let decoded: string;
  try {
    decoded = utf8.decode(Uint8Array.from(bytes));
  } catch {
    // Not UTF-8: no string encodes to these bytes. A refusal, not a failure to report.
    return undefined;
  }
  // The one spelling check that covers the rest: escapes of characters left alone, overlong forms.
  return encodeTagValue(decoded) === tag ? decoded : undefined;
}

/** The tag names whose values the signature covers, in this order. */
const SIGNED_TAGS = ['kind', 'campaign', 'run', 'contact', 'account', 'step'] as const;
/** Signed too when present (webinar emails; the recipient's tier and locale), appended so the signatures of other emails read as before. */
const SIGNED_WHEN_PRESENT = ['webinar', 'session', 'tier', 'locale'] as const;
/** The name of the signature tag. */
export const TAG_SIGNATURE = 'sig';

/** The signature of the named tags' values (as encoded): 128 bits of HMAC-SHA256, base64url (a valid tag value). */
export function tagSignature(tags: Readonly<Record<string, string | undefined>>, secret: string): string {
  const names = [...SIGNED_TAGS, ...SIGNED_WHEN_PRESENT.filter((name) => tags[name] !== undefined)];
  const signed = names.map((name) => `${name}=${tags[name] ?? ''}`).join('|');
  return createHmac('sha256', secret).update(`ses-tags|${signed}`).digest('base64url').slice(0, 22);
}

/** The tags with their signature added. */
export function signTags(tags: Readonly<Record<string, string>>, secret: string): Record<string, string> {
  return { ...tags, [TAG_SIGNATURE]: tagSignature(tags, secret) };
}

/** True when `tags` carry a signature made with `secret` over exactly these values. */
export function hasValidTagSignature(tags: Readonly<Record<string, string | undefined>>, secret: string): boolean {
  const given = tags[TAG_SIGNATURE];
  if (!given) return false;
  const expected = Buffer.from(tagSignature(tags, secret));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
