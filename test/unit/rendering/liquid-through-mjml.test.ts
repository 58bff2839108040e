/**
 * Liquid and MJML agree: control flow between sections and columns decides what each recipient
 * gets, a Liquid tag MJML would drop fails the compile with its line, and MJML that does not
 * nest properly fails instead of compiling to an email without its content.
 */
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../../core/rendering/compile-template.ts';
import { renderEmail } from '../../../core/rendering/render-email.ts';
import { sampleRenderContext } from '../../../core/rendering/sample-render-context.ts';
import { TemplateCompileError } from '../../../core/rendering/template-failure.ts';
import { fixtureVersion } from './rendering-fixtures.ts';

const onPlan = (plan: string) => {
  const context = sampleRenderContext('en', 'none');
  return { ...context, account: { ...context.account, plan } };
};

const countOf = (text: string, part: string) => text.split(part).length - 1;

async function compileFailures(mjmlEdit: (mjml: string) => string): Promise<string[]> {
  const version = fixtureVersion('plan-sections');
  const error = await compileTemplate({ ...version, mjml: mjmlEdit(version.mjml) }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(TemplateCompileError);
  return (error as TemplateCompileError).failures.map((failure) => `${failure.part}: ${failure.message}${failure.line === undefined ? '' : ` (line ${failure.line})`}`);
}

describe('Liquid control flow around MJML elements', () => {
  it('shows a plan-specific section only to that plan, in the HTML and in the text', async () => {
    const compiled = await compileTemplate(fixtureVersion('plan-sections'));
    const professional = renderEmail(compiled, onPlan('professional'));
    const standard = renderEmail(compiled, onPlan('standard'));
    for (const part of [professional.html, professional.text]) {
      expect(part).toContain('Professional plan benefits');
      expect(part).not.toContain('Upgrade to Professional');
    }
    for (const part of [standard.html, standard.text]) {
      expect(part).toContain('Upgrade to Professional');
      expect(part).not.toContain('Professional plan benefits');
    }
  });

  it('repeats elements inside a column with a loop around them', async () => {
    const email = renderEmail(await compileTemplate(fixtureVersion('plan-sections')), onPlan('standard'));
    expect(countOf(email.html, 'Step 1 of 2')).toBe(1);
    expect(countOf(email.html, 'Step 2 of 2')).toBe(1);
  });

  it('keeps the layout HTML balanced in every branch (tables, rows, Outlook conditionals)', async () => {
    const compiled = await compileTemplate(fixtureVersion('plan-sections'));
    for (const plan of ['professional', 'standard']) {
      const { html } = renderEmail(compiled, onPlan(plan));
      expect(countOf(html, '<table'), plan).toBe(countOf(html, '</table>'));
      expect(countOf(html, '<tr'), plan).toBe(countOf(html, '</tr>'));
      expect(countOf(html, '<!--[if'), plan).toBe(countOf(html, '<![endif]'));
    }
  });

  it('fails the compile, with the file line, when MJML would drop a Liquid tag', async () => {
    // Output between sections: MJML drops text there, so the greeting would silently vanish.
    const failures = await compileFailures((mjml) => mjml.replace('    {% if account.plan == "professional" %}', '    {{ contact.firstName }} {% if account.plan == "professional" %}'));
    expect(failures).toEqual([
      'body: {{ contact.firstName }} is lost in the MJML compile (MJML drops text outside text elements, comments and the head): put output inside an <mj-text>, <mj-button> or <mj-raw>, and control flow between sections, columns or in the body (line 12)',
    ]);
  });

  it('fails the compile on MJML elements that do not nest, instead of sending an empty block', async () => {
    const failures = await compileFailures((mjml) => mjml.replace('<mj-text>Upgrade to Professional</mj-text>', '<mj-text>Upgrade to Professional</mj-column>'));
    expect(failures).toEqual(['body: MJML: <mj-text> is not closed before the next MJML element: add </mj-text> where its content ends (line 21)']);
  });

  it('fails the compile on an element left open', async () => {
    const failures = await compileFailures((mjml) => mjml.replace('      </mj-column>\n    </mj-section>\n    {% else %}', '    </mj-section>\n    {% else %}'));
    expect(failures).toEqual(["body: MJML: <mj-column> is not closed before its parent's </mj-section>: add </mj-column> (line 14)"]);
  });

  it('reports a Liquid syntax error in the body at its line in the file, front matter included', async () => {
    const failures = await compileFailures((mjml) => mjml.replace('{% endif %}\n    <mj-section>', '\n    <mj-section>'));
    expect(failures).toEqual(['body: tag {% if account.plan == "professional" %} not closed (line 12)']);
  });
});
