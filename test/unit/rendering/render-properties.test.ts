/**
 * Properties over arbitrary contact data: whatever a name or company contains, the subject stays
 * one header line, and the HTML never contains markup that came from the data.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../../core/rendering/compile-template.ts';
import type { RenderContext } from '../../../core/rendering/render-context.ts';
import { renderEmail } from '../../../core/rendering/render-email.ts';
import { sampleRenderContext } from '../../../core/rendering/sample-render-context.ts';
import { personalizedVersion } from './rendering-fixtures.ts';

const base = sampleRenderContext('en', 'none');

/** Strings rich in what breaks headers and markup, plus arbitrary code units. */
const hostileText = fc.oneof(
  fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", '\r', '\n', '\r\n', '\u2028', '\u0085', '\t', '{{', '}}', '{%', 'a', '山', ' ', '/'), maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

const withData = (firstName: string, lastName: string, accountName: string): RenderContext => ({
  ...base,
  contact: { ...base.contact, firstName, lastName },
  account: { ...base.account, name: accountName },
});

const countOf = (text: string, character: string) => text.split(character).length - 1;

describe('rendering arbitrary contact data', () => {
  it('never puts CR or LF into the subject', async () => {
    const compiled = await compileTemplate(personalizedVersion());
    fc.assert(
      fc.property(hostileText, hostileText, hostileText, (firstName, lastName, accountName) => {
        const { subject } = renderEmail(compiled, withData(firstName, lastName, accountName));
        expect(subject).not.toMatch(/[\r\n]/);
      }),
    );
  });

  it('never puts a string containing `<` into the HTML unescaped', async () => {
    const compiled = await compileTemplate(personalizedVersion());
    fc.assert(
      fc.property(hostileText, hostileText, hostileText, (before, after, other) => {
        // `<script>` never occurs in MJML's own output, so finding the value means it came from the data.
        const firstName = `${before}<script>${after}`;
        const { html } = renderEmail(compiled, withData(firstName, other, other));
        expect(html).not.toContain(firstName);
      }),
    );
  });

  it('adds no `<` to the HTML, whatever the data holds: every markup character is escaped', async () => {
    const compiled = await compileTemplate(personalizedVersion());
    const plain = renderEmail(compiled, withData('x', 'x', 'x')).html;
    fc.assert(
      fc.property(hostileText, hostileText, hostileText, (firstName, lastName, accountName) => {
        const { html } = renderEmail(compiled, withData(firstName, lastName, accountName));
        expect(countOf(html, '<')).toBe(countOf(plain, '<'));
        expect(countOf(html, '"')).toBe(countOf(plain, '"'));
      }),
    );
  });
});
