/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, that any CI log reader
 * understands. A test file that fails to load (a syntax error, a missing module or browser) has
 * no tests to count, and a failing beforeAll / afterAll fails no test: such a file counts as one
 * failed and the line says so.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown> = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let unloaded = 0;
    for (const module of testModules) {
      const tests = [...module.children.allTests()];
      // A file that failed though none of its tests did: it did not load, or a hook failed.
      if (module.state() === 'failed' && !tests.some((test) => test.result().state === 'failed')) unloaded++;
      for (const test of tests) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    const notes = [unloaded > 0 ? `${unloaded} test file(s) failed outside their tests: loading or a hook` : '', unhandledErrors.length > 0 ? `${unhandledErrors.length} unhandled error(s)` : ''].filter(Boolean);
    process.stdout.write(`\ntests: ${passed} passed, ${failed + unloaded + unhandledErrors.length} failed${notes.length > 0 ? ` (${notes.join(', ')})` : ''}, ${skipped} skipped\n`);
  }
}
