/**
 * Custom attribute declarations (campaigns/attributes.yaml) and the segments that use them:
 * validate accepts an audience naming declared attributes with values of their type, and
 * reports, at the value's line, an undeclared attribute or a value that does not fit.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../core/config/problems.ts';
import { ExampleConfigSources, problemsOf } from './example-config-sources.ts';

const LAUNCH = 'campaigns/analytics-launch.yaml';
const ATTRIBUTES = 'campaigns/attributes.yaml';
const withSegment = (segment: string) => ExampleConfigSources.read().edit(LAUNCH, '  engagementBands: [warm, hot]', `  engagementBands: [warm, hot]\n${segment}`);

describe('attribute declarations', () => {
  it('the shipped file declares typed contact and account attributes', () => {
    const result = ExampleConfigSources.read().build();
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.config.attributes.contact.map(({ id, type }) => `${id}:${type}`)).toEqual(['industry:string', 'seats:number', 'admin_trained:boolean']);
    expect(result.config.attributes.account.map(({ id, type }) => `${id}:${type}`)).toEqual(['region:string', 'renewal_date:date']);
  });

  it('is optional: without the file nothing is declared, and a segment naming an attribute is reported', () => {
    const sources = withSegment('  attributes:\n    industry: [retail]').remove(ATTRIBUTES);
    expect(problemsOf(sources.build()).map(formatProblem)).toEqual([
      `${LAUNCH}: audience.attributes.industry: unknown contact attribute 'industry': no contact attributes are declared (campaigns/attributes.yaml, kind: attributes) (line ${sources.lineOf(LAUNCH, 'industry:')})`,
    ]);
    const without = ExampleConfigSources.read().remove(ATTRIBUTES).build();
    expect(without.ok && without.config.attributes).toEqual({ kind: 'attributes', contact: [], account: [] });
  });

  it('rejects a second attributes file, a duplicate id, an id Liquid cannot address, and values on a non-string', () => {
    const sources = ExampleConfigSources.read()
      .edit(ATTRIBUTES, '  - id: seats', '  - id: industry')
      .edit(ATTRIBUTES, '  - id: renewal_date\n    type: date', '  - id: renewal-date\n    type: date\n    values: [a]')
      .add('campaigns/more-attributes.yaml', 'kind: attributes\ncontact: []\n');
    const messages = problemsOf(sources.build()).map(formatProblem);
    expect(messages).toContainEqual(expect.stringMatching(/^campaigns\/more-attributes\.yaml: kind: a second 'attributes' file/));
    expect(messages).toContainEqual(expect.stringMatching(/^campaigns\/attributes\.yaml: contact\[1\]\.id: duplicate id 'industry'/));
    expect(messages).toContainEqual(expect.stringMatching(/^campaigns\/attributes\.yaml: account\[1\]\.id: expected an attribute id of lowercase letters, digits and _/));
    expect(messages).toContainEqual(expect.stringMatching(/^campaigns\/attributes\.yaml: account\[1\]\.values: only a string attribute can list its values: remove values/));
  });
});

describe('segments on attributes', () => {
  it('accept declared attributes with values of their type', () => {
    const result = withSegment('  attributes:\n    industry: [manufacturing, retail]\n    admin_trained: [true]\n  accountAttributes:\n    region: [kanto]\n    renewal_date: ["2027-03-31"]').build();
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.config.campaigns.find((campaign) => campaign.id === 'analytics-launch')?.audience).toMatchObject({
      attributes: { industry: ['manufacturing', 'retail'], admin_trained: [true] },
      accountAttributes: { region: ['kanto'], renewal_date: ['2027-03-31'] },
    });
  });

  it('report an undeclared attribute and each value that does not fit, at its line', () => {
    const sources = withSegment('  attributes:\n    industri: [retail]\n    seats: ["many"]\n  accountAttributes:\n    region: [tokyo]\n    renewal_date: [2027-02-30]');
    const messages = problemsOf(sources.build()).map(formatProblem).sort();
    expect(messages).toEqual([
      `${LAUNCH}: audience.accountAttributes.region[0]: account attribute 'region' (string): expected one of kanto, kansai, chubu, kyushu, hokkaido, north-america, europe, apac, got 'tokyo' (line ${sources.lineOf(LAUNCH, 'region: [tokyo]')})`,
      `${LAUNCH}: audience.accountAttributes.renewal_date[0]: account attribute 'renewal_date' (date): expected a date like 2026-04-01, got '2027-02-30' (line ${sources.lineOf(LAUNCH, 'renewal_date:')})`,
      `${LAUNCH}: audience.attributes.industri: unknown contact attribute 'industri': declared contact attributes are industry, seats, admin_trained (line ${sources.lineOf(LAUNCH, 'industri:')})`,
      `${LAUNCH}: audience.attributes.seats[0]: contact attribute 'seats' (number): expected a number like 42 or 3.5, got 'many' (line ${sources.lineOf(LAUNCH, 'seats:')})`,
    ]);
  });

  it('check a sequence enrollment audience too', () => {
    const sources = ExampleConfigSources.read().edit('campaigns/adoption-nurture.yaml', '  audience:\n', '  audience:\n    accountAttributes:\n      continent: [asia]\n');
    expect(problemsOf(sources.build()).map(formatProblem)).toEqual([
      expect.stringMatching(/^campaigns\/adoption-nurture\.yaml: enrollment\.audience\.accountAttributes\.continent: unknown account attribute 'continent': declared account attributes are region, renewal_date/),
    ]);
  });
});
