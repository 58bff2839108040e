/** Every property of the bad-input suite, in the order the test and the bench run them. */
import type { FuzzProperty } from './fuzz-run.ts';
import { HANDLER_PROPERTIES } from './handler-properties.ts';
import { HTTP_PROPERTIES } from './http-properties.ts';

export const FUZZ_PROPERTIES: ReadonlyArray<FuzzProperty<unknown>> = [...HTTP_PROPERTIES, ...HANDLER_PROPERTIES];
