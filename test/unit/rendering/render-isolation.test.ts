/**
 * Rendering has no side effects and bounded cost: a template that writes to its scope renders
 * the same for every recipient and leaves the caller's data alone, and a runaway loop fails
 * the render cleanly instead of hanging the sender.
 */
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../../core/rendering/compile-template.ts';
import { renderEmail } from '../../../core/rendering/render-email.ts';
import { sampleRenderContext } from '../../../core/rendering/sample-render-context.ts';
import { TemplateRenderError } from '../../../core/rendering/template-failure.ts';
import { personalizedVersion } from './rendering-fixtures.ts';

const withBody = (text: string) => personalizedVersion({ mjml: personalizedVersion().mjml.replace(/<mj-text>Hello[^\n]*<\/mj-text>/, `<mj-text>${text}</mj-text>`) });

describe('render isolation', () => {
  it("renders the same every time with `increment`, and leaves the caller's context unchanged", async () => {
    const compiled = await compileTemplate(withBody('Count {% increment seen %} {% increment seen %} {% increment account %}'));
    const context = sampleRenderContext('en', 'none');
    const before = structuredClone(context);
    const first = renderEmail(compiled, context);
    const second = renderEmail(compiled, context);
    expect(first.html).toContain('Count 0 1 0');
    expect(second).toEqual(first);
    expect(context).toEqual(before);
  });

  it('fails a huge loop cleanly, naming the limit, instead of hanging', async () => {
    const compiled = await compileTemplate(withBody('{% for i in (1..100000000) %}x{% endfor %}'));
    expect(() => renderEmail(compiled, sampleRenderContext('en', 'none'))).toThrow(TemplateRenderError);
    expect(() => renderEmail(compiled, sampleRenderContext('en', 'none'))).toThrow(/body \(html\): rendering needs too much memory \(memory limit\)/);
  });

  it('stops a long-running nested loop at the render time limit', async () => {
    const compiled = await compileTemplate(withBody('{% for i in (1..2000) %}{% for j in (1..2000) %}{% for k in (1..5) %}{% endfor %}{% endfor %}{% endfor %}'));
    const started = performance.now();
    expect(() => renderEmail(compiled, sampleRenderContext('en', 'none'))).toThrow(/rendering took too long \(render time limit\)/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
