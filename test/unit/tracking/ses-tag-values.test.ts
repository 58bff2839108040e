/**
 * SES tag values: decoding is the exact inverse of encoding, and a value the encoder cannot have
 * written decodes to nothing, so no second spelling of an id (a mangling relay's, a forger's)
 * can name a send. Fails if decodeTagValue goes back to reading escapes leniently.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTagValue, encodeTagValue } from '../../../core/sending/email-tags.ts';

/** No lone surrogate: ids are well-formed text (a lone surrogate has no UTF-8 form to encode). */
const isWellFormed = (text: string) => !/\p{Cs}/u.test(text);
const TAG_ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
/** Any string SES would accept as a tag value: what could arrive in an event. */
const tagShaped = fc.array(fc.constantFrom(...TAG_ALPHABET, '_2d', '_5f', '_3A', '_e3_81_82', '_c0_af', '_ff', '_', '_0'), { maxLength: 24 }).map((parts) => parts.join(''));

describe('SES tag values', () => {
  it('decode is the exact inverse of encode, for any string (BOM, NUL, astral characters included)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }).filter(isWellFormed)), (value) => {
        const tag = encodeTagValue(value);
        expect(tag).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(decodeTagValue(tag)).toBe(value);
      }),
      { numRuns: 500 },
    );
    expect(decodeTagValue(encodeTagValue('\uFEFFcon-1'))).toBe('\uFEFFcon-1');
  });

  it('refuses exactly the values the encoder cannot have written, and decodes the others to what they encode', () => {
    // An independent oracle: the old lenient reading (any _XX, invalid UTF-8 replaced), then encode.
    const lenient = (tag: string) => {
      const bytes: number[] = [];
      for (let i = 0; i < tag.length; i++) {
        if (tag[i] === '_') {
          bytes.push(parseInt(tag.slice(i + 1, i + 3), 16) || 0);
          i += 2;
        } else bytes.push(tag.charCodeAt(i));
      }
      return Buffer.from(bytes).toString('utf8');
    };
    fc.assert(
      fc.property(tagShaped, (tag) => {
        const canonical = encodeTagValue(lenient(tag)) === tag;
        expect(decodeTagValue(tag)).toBe(canonical ? lenient(tag) : undefined);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['con_2d1', 'escapes a character the encoder leaves alone'],
    ['con_3A1', 'upper-case hex'],
    ['con-1_', 'a lone underscore at the end'],
    ['con_2', 'an underscore with one hex digit'],
    ['con_zz', 'an underscore not followed by hex'],
    ['con_ff', 'not UTF-8'],
    ['con_c0_af', 'an overlong form of /'],
    ['con_ed_a0_80', 'a UTF-16 surrogate in UTF-8'],
    ['con.1', 'a character SES tags cannot hold'],
    ['con 1', 'a space'],
  ])('%s is refused (%s)', (tag) => {
    expect(decodeTagValue(tag)).toBeUndefined();
  });

  it('two spellings never decode to one id', () => {
    fc.assert(
      fc.property(tagShaped, tagShaped, (a, b) => {
        const left = decodeTagValue(a);
        fc.pre(a !== b && left !== undefined);
        expect(decodeTagValue(b)).not.toBe(left);
      }),
      { numRuns: 1000 },
    );
  });
});
