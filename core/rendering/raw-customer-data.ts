/**
 * Finds `| raw` applied to customer data in an HTML body. `raw` turns escaping off, and
 * contact and account fields come from CRM imports and the ingest API: whoever can write a
 * name could then inject markup (a phishing link, a tracking pixel) into every email. Variables
 * assigned or captured from customer data count as customer data too.
 */
import { liquidTagsOf } from './liquid-in-mjml.ts';

export interface RawCustomerData {
  line: number;
  tag: string;
}

/** The render-scope roots that hold imported data. */
const CUSTOMER_DATA = ['contact', 'account'];

const usesFilterRaw = (expression: string) => /\|\s*raw\b/.test(expression);

export function rawCustomerData(source: string): RawCustomerData[] {
  const tags = liquidTagsOf(source);
  const tainted = new Set(CUSTOMER_DATA);
  const mentionsTainted = (text: string) => [...tainted].some((name) => new RegExp(`(^|[^\\w.])${name}\\b`).test(text));
  // Assignments can chain (a = contact.x, b = a): repeat until no new name is tainted.
  for (let grew = true; grew; ) {
    grew = false;
    tags.forEach((tag, index) => {
      const assign = /^\{%-?\s*assign\s+(\w+)\s*=([\s\S]*?)-?%\}$/.exec(tag.text);
      const capture = /^\{%-?\s*capture\s+(\w+)\s*-?%\}$/.exec(tag.text);
      let name: string | undefined;
      if (assign?.[1] && assign[2] !== undefined && mentionsTainted(assign[2])) name = assign[1];
      if (capture?.[1]) {
        const end = tags.findIndex((other, at) => at > index && /^\{%-?\s*endcapture\s*-?%\}$/.test(other.text));
        if (tags.slice(index + 1, end === -1 ? undefined : end).some((inner) => mentionsTainted(inner.text))) name = capture[1];
      }
      if (name !== undefined && !tainted.has(name)) {
        tainted.add(name);
        grew = true;
      }
    });
  }
  return tags
    .filter((tag) => {
      const output = /^\{\{-?([\s\S]*?)-?\}\}$/.exec(tag.text)?.[1] ?? /^\{%-?\s*echo\b([\s\S]*?)-?%\}$/.exec(tag.text)?.[1];
      return output !== undefined && usesFilterRaw(output) && mentionsTainted(output);
    })
    .map((tag) => ({ line: tag.line, tag: tag.text }));
}
