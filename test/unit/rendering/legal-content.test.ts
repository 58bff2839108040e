/**
 * The legal footer and greeting checks on rendered emails: what validate refuses a template for.
 */
import { describe, expect, it } from 'vitest';
import { brokenTextProblems, legalContentProblems } from '../../../core/rendering/legal-content.ts';

const required = { unsubscribeUrl: 'https://links.example.com/u/abc?x=1&y=2', organization: 'Example K.K.', postalAddress: '2-21-1 Shibuya, Tokyo 150-0002, Japan' };
const footer = '<p>Example K.K., 2-21-1 Shibuya,\n Tokyo 150-0002, Japan</p><a href="https://links.example.com/u/abc?x=1&amp;y=2">Unsubscribe</a>';
const text = 'Hello Alex,\nExample K.K., 2-21-1 Shibuya, Tokyo 150-0002, Japan\nUnsubscribe [https://links.example.com/u/abc?x=1&y=2]';

describe('legal content', () => {
  it('passes an email with the unsubscribe link and the sender’s name and postal address in both parts', () => {
    expect(legalContentProblems({ html: `<html><body><p>Hello Alex,</p>${footer}</body></html>`, text }, required)).toEqual([]);
  });

  it('names a missing unsubscribe link, organization or postal address, and the part', () => {
    const problems = legalContentProblems({ html: '<html><body><p>Hello</p><a href="https://links.example.com/p/abc">Preferences</a></body></html>', text: 'Hello' }, required);
    expect(problems).toEqual([
      expect.stringMatching(/^the body has no link to \{\{ links\.unsubscribe \}\}/),
      'the text part has no unsubscribe link ({{ links.unsubscribe }})',
      expect.stringMatching(/^the html part does not show the sender’s name/),
      expect.stringMatching(/^the html part does not show the sender’s postal address/),
      expect.stringMatching(/^the text part does not show the sender’s name/),
      expect.stringMatching(/^the text part does not show the sender’s postal address/),
    ]);
  });

  it('does not count an address hidden in the preheader or the head as shown', () => {
    const html = `<html><head><title>Example K.K. 2-21-1 Shibuya, Tokyo 150-0002, Japan</title></head><body><div style="display:none;max-height:0">Example K.K., 2-21-1 Shibuya, Tokyo 150-0002, Japan</div><a href="https://links.example.com/u/abc?x=1&amp;y=2">Unsubscribe</a></body></html>`;
    expect(legalContentProblems({ html, text }, required).filter((problem) => problem.startsWith('the html part'))).toHaveLength(2);
  });
});

describe('text broken by data', () => {
  it.each([
    ['Hello ,', /a space before a comma/],
    ['Thanks for choosing Northwind Traders & Co.. See you', /a doubled period/],
    ['<p>様</p><p>いつもありがとうございます。</p>', /a bare 様/],
  ])('finds %s', (html, reason) => {
    expect(brokenTextProblems({ html: `<html><body>${html}</body></html>`, text: '' }).join('\n')).toMatch(reason);
  });

  it('leaves well-formed text alone: an ellipsis, 山田 様, ご担当者様', () => {
    expect(brokenTextProblems({ html: '<html><body><p>山田 様</p><p>ご担当者様</p><p>More soon...</p><p>Hello Alex,</p></body></html>', text: '山田 様\nMore soon...' })).toEqual([]);
  });
});

describe('the wrapped text part', () => {
  it('does not take a soft line break before 様 for a bare 様', () => {
    const text = 'いつもご利用いただきありがとうございます。株式会社サンプル商事\n様の環境の準備が整いました。';
    expect(brokenTextProblems({ html: '<html><body><p>株式会社サンプル商事 様の環境の準備が整いました。</p></body></html>', text })).toEqual([]);
  });
});
