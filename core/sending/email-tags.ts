/**
 * SES email tags carry campaign, run and contact so SES events can be joined back to the send.
 * Tag values allow only letters, digits, _ and -, so other characters are escaped reversibly
 * as _XX (hex); `_` itself is escaped too.
 */

export function encodeTagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9-]/gu, (char) =>
    [...Buffer.from(char, 'utf8')].map((byte) => `_${byte.toString(16).padStart(2, '0')}`).join(''),
  );
}

export function decodeTagValue(tag: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < tag.length; i++) {
    if (tag[i] === '_') {
      bytes.push(parseInt(tag.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(tag.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
