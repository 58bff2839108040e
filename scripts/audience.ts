/**
 * `npm run audience -- <campaign-id> [--at 2026-12-02T10:00:00+09:00] [--sample 10]`: previews a
 * campaign's audience without sending: how many contacts match the segment, what the guardrails
 * would do with them at that time (send now / defer / skip by reason), and a sample.
 * Reads the local runtime's table (see local/local-store-session.ts); writes nothing.
 */
import { fileURLToPath } from 'node:url';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import { resolveAudience } from '../core/audience/resolve-audience.ts';
import type { AudienceCandidate } from '../core/audience/segment.ts';
import { decideForMembers, guardrailContext } from '../core/sending/dispatch-campaign.ts';
import { readCommandLine } from '../local/command-line.ts';
import { withLocalStore } from '../local/local-store-session.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const { values, positionals, settings } = readCommandLine(
  {
    usage: 'npm run audience -- <campaign-id> [--at <ISO time>] [--sample N] [options]',
    summary: "Previews a campaign's audience without sending: how many contacts match, what the guardrails would do with them, and a sample.",
    options: { at: { type: 'string' }, sample: { type: 'string' } },
    optionHelp: { at: 'the time to evaluate at, e.g. 2026-12-02T10:00:00+09:00 (default: now)', sample: 'how many contacts to list (default 10)' },
  },
  projectRoot,
);
const [campaignId] = positionals;
const config = await loadConfigOrThrow(defaultConfigLocation(projectRoot));
const campaign = config.campaigns.find((candidate) => candidate.id === campaignId);
if (!campaign) {
  console.error(`usage: npm run audience -- <campaign-id> [--at <ISO time>] [--sample N]\ncampaigns: ${config.campaigns.map((candidate) => candidate.id).join(', ')}`);
  process.exit(2);
}
const at = values.at ? new Date(values.at) : new Date();
if (Number.isNaN(at.getTime())) {
  console.error(`--at: expected an ISO time like 2026-12-02T10:00:00+09:00, got '${values.at}'`);
  process.exit(2);
}
const sampleSize = Number(values.sample ?? 10);

await withLocalStore(settings, process.env, async (store) => {
  const guard = guardrailContext(config);
  const decisions = new Map<string, number>();
  const sample: AudienceCandidate[] = [];
  let total = 0;
  for await (const members of resolveAudience(campaign.audience, at, { ...store, scoring: config.scoring })) {
    total += members.length;
    for (const member of members) if (sample.length < sampleSize) sample.push(member);
    for (const { decision } of await decideForMembers(members, campaign.topic, at, guard, store)) {
      const key = decision.action === 'skip' ? `skip: ${decision.reason}` : decision.action;
      decisions.set(key, (decisions.get(key) ?? 0) + 1);
    }
  }
  console.log(`${campaign.id} (${campaign.name}) at ${at.toISOString()}: ${total} contact(s) in the audience`);
  for (const [decision, count] of [...decisions.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${decision.padEnd(24)} ${count}`);
  console.log(`sample of ${sample.length}:`);
  for (const { contact, account, engagementBand } of sample) {
    console.log(`  ${contact.contactId.padEnd(12)} ${account.name} (${account.tier}, ${account.phase}, ${account.plan})  ${contact.locale}  ${contact.timeZone}  band ${engagementBand}`);
  }
});
