/**
 * CDK entry point (`cdk synth`, `cdk deploy`). Validates the team's config first, so a
 * bad campaign file fails the synth and nothing bad can deploy.
 */
import { fileURLToPath } from 'node:url';
import { defaultConfigLocation, loadConfigDirectory } from '../adapters/fs/config-directory.ts';
import { formatProblem } from '../core/config/problems.ts';
import { buildApp } from './build-app.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const config = await loadConfigDirectory(defaultConfigLocation(projectRoot));
if (!config.ok) {
  console.error('cdk synth stopped: the config has problems (run `npm run validate`):');
  for (const problem of config.problems) console.error(`  ${formatProblem(problem)}`);
  process.exit(1);
}

buildApp({ config: config.config }).app.synth();
