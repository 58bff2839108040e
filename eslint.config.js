// @ts-check
/**
 * Lint for the whole repo: typescript-eslint's recommended rules (syntax only, no type
 * information, so `npx eslint .` stays fast), plus the boundary the architecture asks for:
 * core/ is pure domain code, so it may not import AWS, CDK, the HTTP framework, the file
 * system or child processes, may not read `process` (environment), and may not use `any`.
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const coreForbiddenImports = {
  paths: [
    { name: 'aws-cdk-lib', message: 'core/ is pure domain code: CDK belongs in infra/.' },
    { name: 'constructs', message: 'core/ is pure domain code: CDK constructs belong in infra/.' },
    { name: 'hono', message: 'core/ is pure domain code: the HTTP app belongs in http/.' },
    { name: 'node:child_process', message: 'core/ is pure domain code: processes belong in adapters/ or local/.' },
    { name: 'child_process', message: 'core/ is pure domain code: processes belong in adapters/ or local/.' },
    { name: 'fs', message: 'core/ is pure domain code: file access belongs in adapters/fs/.' },
    { name: 'fs/promises', message: 'core/ is pure domain code: file access belongs in adapters/fs/.' },
  ],
  patterns: [
    { group: ['@aws-sdk/*'], message: 'core/ is pure domain code: AWS SDK clients belong in adapters/aws/.' },
    { group: ['aws-cdk-lib/*'], message: 'core/ is pure domain code: CDK belongs in infra/.' },
    { group: ['hono/*'], message: 'core/ is pure domain code: the HTTP app belongs in http/.' },
    { group: ['node:fs*'], message: 'core/ is pure domain code: file access belongs in adapters/fs/.' },
  ],
};

const processMessage = 'core/ takes no environment: pass settings in as arguments from the composition root.';

export default defineConfig(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      '.local/',
      'coverage/',
      'bench/results/',
      'campaigns/config.schema.json',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed names are deliberately unused (e.g. destructuring a field away).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['core/**'],
    rules: {
      'no-restricted-imports': ['error', coreForbiddenImports],
      'no-restricted-globals': ['error', { name: 'process', message: processMessage }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: processMessage },
        { object: 'globalThis', property: 'process', message: processMessage },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
);
