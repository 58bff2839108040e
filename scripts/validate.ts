/**
 * `npm run validate [-- --config <dir> --templates <dir>]`: checks every config file and
 * template, and that every template compiles and renders for a sample recipient; prints each
 * problem as `file: path: what is wrong`, exits 1 if there is any.
 * Reads only; writes nothing and sends nothing.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCommandLine } from '../local/command-line.ts';
import { defaultConfigLocation, loadConfigDirectory } from '../adapters/fs/config-directory.ts';
import { formatProblem } from '../core/config/problems.ts';
import { validateTemplatesRender } from '../core/rendering/validate-templates.ts';

const { values } = readCommandLine(
  {
    usage: 'npm run validate [-- --config <dir> --templates <dir>]',
    summary: 'Checks every config file and template (each template compiled and rendered for sample recipients); prints each problem as `file: path: what is wrong (line N)`, exits 1 if there is any. Writes nothing, sends nothing.',
    options: { config: { type: 'string' }, templates: { type: 'string' }, root: { type: 'string' } },
    optionHelp: { config: 'the config folder (default campaigns/)', templates: 'the templates folder (default templates/)', root: 'the project folder the defaults are in (default: the current folder)' },
    localSettings: false,
  },
  fileURLToPath(new URL('..', import.meta.url)),
);
const rootDir = resolve(values.root ?? process.cwd());
const location = defaultConfigLocation(rootDir);
if (values.config) location.configDir = resolve(values.config);
if (values.templates) location.templatesDir = resolve(values.templates);

const result = await loadConfigDirectory(location);
if (!result.ok) {
  for (const problem of result.problems) console.error(formatProblem(problem));
  console.error(`\n${result.problems.length} problem(s) found; nothing was changed.`);
  process.exit(1);
}
const { config } = result;
const renderProblems = await validateTemplatesRender(config);
if (renderProblems.length > 0) {
  for (const problem of renderProblems) console.error(formatProblem(problem));
  console.error(`\n${renderProblems.length} problem(s) found; nothing was changed.`);
  process.exit(1);
}
const templateVersions = [...config.templates.values()].reduce((sum, versions) => sum + versions.size, 0);
console.log(
  `config OK: ${config.campaigns.length} campaign(s), ${config.sequences.length} sequence(s), ` +
    `${config.webinarPolicies.length} webinar policy(ies), ${config.senders.identities.length} sender(s), ` +
    `${config.topics.topics.length} topic(s), templates render OK: ${config.templates.size} template(s) in ${templateVersions} locale version(s)`,
);
