/**
 * Checks an imported record's custom attributes against their declarations: every attribute
 * must be declared for that kind of record and its value must fit the declared type. Values come
 * back typed (numbers as numbers, booleans as booleans, dates as 2026-04-01), so what is stored,
 * rendered and segmented on does not depend on whether it came from a CSV cell or JSON.
 */
import { attributeValueOf, type AttributeDeclaration, type AttributeValue } from '../config/schema/attributes.ts';

export type AttributeOwner = 'contact' | 'account';

export type CheckedAttributes = { attributes: Record<string, AttributeValue> | undefined } | { reason: string };

/**
 * `declared` undefined means the caller knows no declarations (no config at hand): then any
 * attribute is refused, since its type cannot be checked. `label` names a field as its source
 * spells it (CSV `attr_industry`, JSON `attributes.industry`).
 */
export function checkCustomAttributes(
  values: Readonly<Record<string, unknown>> | undefined,
  of: AttributeOwner,
  declared: readonly AttributeDeclaration[] | undefined,
  label: (field: string) => string,
): CheckedAttributes {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return { attributes: undefined };
  const problems: string[] = [];
  const checked: Record<string, AttributeValue> = {};
  for (const [id, value] of entries) {
    const declaration = declared?.find((candidate) => candidate.id === id);
    if (!declaration) {
      const known = declared && declared.length > 0 ? `declared ${of} attributes are ${declared.map((candidate) => candidate.id).join(', ')}` : `no ${of} attributes are declared (campaigns/attributes.yaml)`;
      problems.push(`${label(`attributes.${id}`)}: unknown ${of} attribute '${id}': ${known}`);
      continue;
    }
    const result = attributeValueOf(declaration, value);
    if ('error' in result) problems.push(`${label(`attributes.${id}`)}: ${result.error}`);
    else checked[id] = result.value;
  }
  if (problems.length > 0) return { reason: problems.join('; ') };
  return { attributes: checked };
}
