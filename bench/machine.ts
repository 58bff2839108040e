/**
 * Bench `machine`: how well machine clicks are told from people's, on the labelled set in
 * `test/fixtures/machine-traffic/` (570 scenarios, about 1,800 clicks, built from published
 * scanner, proxy and browser behaviour; see its README.md). Machine is the positive class:
 * precision = of the clicks called machine, the share that were; recall = of the machine clicks,
 * the share caught.
 *
 * Headline (`machine.precision`, `machine.recall`): the click-context rules
 * (`core/tracking/click-context.ts`, which reuse `machine-traffic.ts` and the network lists) after
 * the honeypot and burst sweeps re-flag earlier clicks. Baseline, in the same run on the same set:
 * the classifier as it was before issue 12 (user agents, HEAD, 10 s after the send), frozen in
 * `test/fixtures/machine-traffic/legacy-classifier.ts`; the ratios are new / baseline. Also shown:
 * the verdicts as given at each click (what the live path stores before any re-flagging), the
 * `no-open-before` trade-off (off, combined with another weak signal as shipped, alone), the
 * user-agent rules alone on the labelled agents, and what the network lists cost: the cold build
 * (a Lambda's first classification) and a lookup.
 */
import { classifyClick } from '../core/tracking/machine-traffic.ts';
import { KnownNetworks, NETWORK_FILES } from '../core/tracking/networks/known-networks.ts';
import { contextClassifier, emptyConfusion, loadLabelledSet, measure, score, tally, type Measurement, type Score } from '../test/fixtures/machine-traffic/labelled-set.ts';
import { legacyClassifier, legacyClickIsMachine } from '../test/fixtures/machine-traffic/legacy-classifier.ts';
import type { Figures } from './bench.ts';
import { round3, round4 } from './figure-math.ts';
import { formatNumber, formatTable } from './figure-table.ts';

export const name = 'machine';

const LOOKUPS = 200_000;

export async function run(): Promise<Figures> {
  // Cold first: this process has not parsed the lists yet, as a fresh Lambda has not.
  const buildStarted = performance.now();
  const networks = KnownNetworks.fromData(NETWORK_FILES);
  const buildMs = performance.now() - buildStarted;
  const lookupNs = timeLookups(networks);

  const set = loadLabelledSet();
  const clicks = set.scenarios.reduce((sum, scenario) => sum + scenario.clicks.length, 0);
  const machineClicks = set.scenarios.reduce((sum, scenario) => sum + scenario.clicks.filter((click) => click.label === 'machine').length, 0);
  console.log(`labelled set: ${set.scenarios.length} scenarios, ${clicks} clicks (${machineClicks} machine), ${Object.keys(set.patterns).length} patterns, ${Object.keys(set.sources).length} sources`);

  const baseline = measure(set.scenarios, legacyClassifier);
  const shipped = measure(set.scenarios, contextClassifier({ networks }));
  const atClickTime = measure(set.scenarios, contextClassifier({ networks, when: 'atClickTime' }));
  const noOpenOff = measure(set.scenarios, contextClassifier({ networks, rules: { noOpenBefore: 'off' } }));
  const noOpenAlone = measure(set.scenarios, contextClassifier({ networks, rules: { noOpenBefore: 'alone' } }));
  const agents = userAgentScores(set.userAgents, networks);

  printPatterns(set.patterns, baseline, shipped);
  console.log('');
  const row = (label: string, result: Score) => [label, formatNumber(result.precision), formatNumber(result.recall), String(result.truePositives), String(result.falsePositives), String(result.falseNegatives), String(result.trueNegatives)];
  for (const line of formatTable(
    ['classifier', 'precision', 'recall', 'tp', 'fp', 'fn', 'tn'],
    [
      row('before issue 12 (baseline)', baseline.overall),
      row('click context, final (shipped)', shipped.overall),
      row('click context, at click time', atClickTime.overall),
      row('  no-open-before off', noOpenOff.overall),
      row('  no-open-before alone', noOpenAlone.overall),
      row('user agents only, baseline', agents.baseline),
      row('user agents only, new', agents.shipped),
    ],
  ))
    console.log(`  ${line}`);
  console.log(
    `\nnetwork lists: ${formatNumber(buildMs)} ms to build cold (${NETWORK_FILES.length} files), ${formatNumber(lookupNs)} ns a lookup; ` +
      `precision ${formatNumber(shipped.overall.precision)} vs ${formatNumber(baseline.overall.precision)} baseline, recall ${formatNumber(shipped.overall.recall)} vs ${formatNumber(baseline.overall.recall)}`,
  );

  return {
    'machine.precision': round4(shipped.overall.precision),
    'machine.recall': round4(shipped.overall.recall),
    'machine.baseline_precision': round4(baseline.overall.precision),
    'machine.baseline_recall': round4(baseline.overall.recall),
    'machine.precision_vs_baseline': round4(shipped.overall.precision / baseline.overall.precision),
    'machine.recall_vs_baseline': round4(shipped.overall.recall / baseline.overall.recall),
    'machine.precision_at_click_time': round4(atClickTime.overall.precision),
    'machine.recall_at_click_time': round4(atClickTime.overall.recall),
    'machine.precision_no_open_before_off': round4(noOpenOff.overall.precision),
    'machine.recall_no_open_before_off': round4(noOpenOff.overall.recall),
    'machine.precision_no_open_before_alone': round4(noOpenAlone.overall.precision),
    'machine.recall_no_open_before_alone': round4(noOpenAlone.overall.recall),
    'machine.user_agent_precision': round4(agents.shipped.precision),
    'machine.user_agent_recall': round4(agents.shipped.recall),
    'machine.baseline_user_agent_precision': round4(agents.baseline.precision),
    'machine.baseline_user_agent_recall': round4(agents.baseline.recall),
    'machine.labelled_clicks': clicks,
    'machine.network_build_ms': round3(buildMs),
    'machine.network_lookup_ns': round3(lookupNs),
  };
}

function printPatterns(patterns: Record<string, { label: string }>, baseline: Measurement, shipped: Measurement): void {
  const cells = (result: Score | undefined) => (result ? `${result.truePositives}/${result.falsePositives}/${result.falseNegatives}/${result.trueNegatives}` : '-');
  const rows = Object.entries(patterns).map(([pattern, { label }]) => [pattern, label, cells(baseline.byPattern[pattern]), cells(shipped.byPattern[pattern])]);
  for (const line of formatTable(['pattern', 'label', 'baseline tp/fp/fn/tn', 'shipped tp/fp/fn/tn'], rows)) console.log(`  ${line}`);
}

/** Each labelled agent as one GET a day after the send from an address in no list: the agent rules alone. */
function userAgentScores(agents: readonly { userAgent: string; label: string }[], networks: KnownNetworks): { baseline: Score; shipped: Score } {
  const sentAt = new Date('2026-11-01T00:00:00Z');
  const at = new Date('2026-11-02T00:00:00Z');
  const baseline = emptyConfusion();
  const shipped = emptyConfusion();
  for (const { userAgent, label } of agents) {
    tally(baseline, label === 'machine', legacyClickIsMachine({ method: 'GET', userAgent }, { at, sentAt }));
    tally(shipped, label === 'machine', classifyClick({ method: 'GET', userAgent, ip: '198.51.100.7' }, { at, sentAt }, networks).machine);
  }
  return { baseline: score(baseline), shipped: score(shipped) };
}

/** Nanoseconds per `networkOf` over a mix of IPv4 and IPv6 addresses, listed and not. */
function timeLookups(networks: KnownNetworks): number {
  const addresses = ['17.58.63.10', '104.28.28.5', '198.51.100.7', '40.107.22.9', '2a02:26f7:b3c0:4000::1', '2001:db8::1', '::ffff:205.139.110.4', '34.86.1.2'];
  let found = 0;
  for (let index = 0; index < 20_000; index++) if (networks.networkOf(addresses[index % addresses.length])) found++;
  const started = performance.now();
  for (let index = 0; index < LOOKUPS; index++) if (networks.networkOf(addresses[index % addresses.length])) found++;
  const ns = ((performance.now() - started) * 1e6) / LOOKUPS;
  if (found === 0) throw new Error('bench machine: no address was found in the network lists, so the lookup timing measures nothing');
  return ns;
}
