/**
 * Loaded with `node --import` into a process whose peak memory a bench measures (an import run as
 * a child): at exit it writes the process's peak resident set size on stderr, as
 * `peak-rss-kb <n>`, whatever way the program exits (its own process.exit included).
 */
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\npeak-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
