/**
 * Bad-input properties over every HTTP route: the links in emails (open pixel, click, unsubscribe,
 * preferences, webinar registration, calendar and survey links, survey answers) with forged tokens
 * and, with genuine ones, hostile everything else; the ingest API (customers, usage, CSQL outcomes,
 * webinar attendance) without and with its bearer token; Zoom's webhook unsigned and signed; the
 * dashboard and its login; and any path with any method on the whole app and on each Lambda app.
 */
import fc from 'fast-check';
import type { Hono } from 'hono';
import { signAnswerToken } from '../../core/surveys/answer-token.ts';
import { signToken } from '../../core/tracking/link-token.ts';
import { signAsZoom } from '../../core/webinars/zoom-webhook-signature.ts';
import { DASHBOARD_COOKIE } from '../../http/dashboard-auth.ts';
import { expectCleanCase, fuzzProperty, refuseServerError, type FuzzProperty } from './fuzz-run.ts';
import { DASHBOARD_SECRET, INGEST_TOKEN, OTHER_SECRET, ZOOM_SECRET, type FuzzWorld, type GenuineTokens } from './fuzz-world.ts';
import { forgedToken, hostileBody, hostileHeaderValue, hostileJson, hostileText, HTTP_METHODS, pathSegment, plantedEmail, queryValue, zoomPayload, plantedName, type HostileBody } from './hostile-input.ts';

interface HttpCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: HostileBody | undefined;
}

/** Sends `request` to `app` (a body only where the method may carry one) and returns the status. */
async function answer(app: Hono, request: HttpCase): Promise<number> {
  const headers = new Headers(request.headers);
  const withBody = request.body && request.method !== 'GET' && request.method !== 'HEAD';
  if (withBody && request.body?.contentType !== undefined) headers.set('content-type', request.body.contentType.replace(/[\r\n]/g, ' '));
  const response = await app.request(request.path, { method: request.method, headers, ...(withBody ? { body: request.body?.body as RequestInit['body'] } : {}) });
  await response.arrayBuffer();
  return response.status;
}

const describeCase = (request: HttpCase) => `${request.method} ${request.path.slice(0, 200)}`;

/** Headers a browser, a scanner or an attacker sends, hostile values included. */
const hostileHeaders = (): fc.Arbitrary<Record<string, string>> =>
  fc.dictionary(fc.constantFrom('user-agent', 'x-forwarded-for', 'accept-language', 'cookie', 'referer', 'accept', 'origin', 'x-zm-signature'), hostileHeaderValue(), { maxKeys: 4 });

const lang = (): fc.Arbitrary<string> => fc.option(hostileText(), { nil: undefined }).map((value) => (value === undefined ? '' : `?lang=${queryValue(value)}`));

/** The link routes, each with the genuine token of its purpose (answer tokens are signed apart). */
const LINK_ROUTES: ReadonlyArray<{ prefix: string; suffix?: string; token: (tokens: GenuineTokens) => string }> = [
  { prefix: '/o/', suffix: '.gif', token: (tokens) => tokens.open },
  { prefix: '/c/', token: (tokens) => tokens.click },
  { prefix: '/u/', token: (tokens) => tokens.unsubscribe },
  { prefix: '/p/', token: (tokens) => tokens.preferences },
  { prefix: '/w/r/', token: (tokens) => tokens.register },
  { prefix: '/w/ics/', token: (tokens) => tokens.calendar },
  { prefix: '/w/s/', token: (tokens) => tokens.survey },
  { prefix: '/s/', token: (tokens) => tokens.answer },
];

/** Tokens that verify but must still be refused: another purpose's, or genuine claims for nobody. */
const signedButWrong = (world: FuzzWorld, genuine: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(...Object.entries(world.tokens).filter(([name, token]) => name !== 'contactId' && token !== genuine).map(([, token]) => token)),
    fc.tuple(fc.constantFrom('open', 'click', 'unsubscribe', 'preferences', 'register', 'calendar', 'survey') as fc.Arbitrary<'open'>, hostileText(), hostileText()).map(([purpose, messageId, contactId]) =>
      signToken({ purpose, messageId: messageId || 'x', runId: 'no-such-run', contactId: contactId || 'x', ...(purpose === ('click' as string) ? { link: 0, linkSet: 'abc' } : {}) }, world.senderDeps.links.tokenSecret),
    ),
    fc.tuple(hostileText(), fc.integer({ min: 0, max: 10 })).map(([contactId, score]) => signAnswerToken({ surveyId: 'no-such-survey', messageId: 'm', runId: 'r', contactId: contactId || 'x', score }, world.senderDeps.links.tokenSecret)),
  );

const forgedLinks: FuzzProperty<unknown> = fuzzProperty({
  target: 'email links, forged tokens',
  numRuns: 600,
  input: (world) =>
    fc.record({
      // One token arbitrary per route, built once (building one costs more than drawing from it).
      routed: fc.oneof(
        ...LINK_ROUTES.map((route) => {
          const genuine = route.token(world.tokens);
          return fc.record({ route: fc.constant(route), token: fc.oneof({ weight: 3, arbitrary: forgedToken(genuine, signToken({ purpose: 'open', messageId: 'm', runId: 'r', contactId: 'c' }, OTHER_SECRET)) }, { weight: 1, arbitrary: signedButWrong(world, genuine) }) });
        }),
      ),
      method: fc.constantFrom(...HTTP_METHODS),
      headers: hostileHeaders(),
      query: lang(),
      body: fc.option(hostileBody(), { nil: undefined }),
    }),
  check: async (world, input, totals) => {
    const { routed: { route, token }, method, headers, query, body } = input;
    const request = { method, path: `${route.prefix}${pathSegment(token)}${route.suffix ?? ''}${query}`, headers, body };
    const writesBefore = world.writes();
    refuseServerError(totals, await answer(world.app, request), describeCase(request));
    expectCleanCase(world, describeCase(request), { writesBefore, mayWrite: false, secrets: [token] });
  },
});

const genuineLinks: FuzzProperty<unknown> = fuzzProperty({
  target: 'email links, genuine tokens, hostile headers and bodies',
  numRuns: 250,
  input: () =>
    fc.record({
      route: fc.constantFrom(...LINK_ROUTES),
      method: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT'),
      headers: hostileHeaders(),
      query: lang(),
      body: fc.option(
        fc.oneof(
          hostileBody(),
          fc.array(fc.oneof(hostileText(), fc.constantFrom('product-news', 'webinars', '__proto__')), { maxLength: 5 }).map((topics) => ({
            contentType: 'application/x-www-form-urlencoded',
            body: ['form=preferences', ...topics.map((topic) => `topic=${queryValue(topic)}`)].join('&'),
          })),
        ),
        { nil: undefined },
      ),
    }),
  check: async (world, input, totals) => {
    const { route, method, headers, query, body } = input;
    const token = route.token(world.tokens);
    const request = { method, path: `${route.prefix}${token}${route.suffix ?? ''}${query}`, headers, body };
    const writesBefore = world.writes();
    const status = await answer(world.app, request);
    refuseServerError(totals, status, describeCase(request));
    expectCleanCase(world, describeCase(request), { writesBefore, mayWrite: status < 400 });
  },
});

/** What the ingest endpoints expect, hostile at the leaves, planted names and addresses included. */
const ingestRecords = (): fc.Arbitrary<unknown> =>
  fc.record({
    accounts: fc.array(fc.record({ accountId: fc.oneof(fc.constant('fuzz-acc'), hostileText()), name: plantedName(), tier: fc.oneof(fc.constant('tier2'), hostileText()), plan: hostileText(), products: fc.array(hostileText(), { maxLength: 2 }), phase: hostileText(), mrr: fc.oneof(fc.double(), hostileText()), currency: hostileText() }, { requiredKeys: [] }), { maxLength: 3 }),
    contacts: fc.array(fc.record({ contactId: fc.oneof(fc.constant('fuzz-en'), hostileText()), email: plantedEmail(), accountId: fc.oneof(fc.constant('fuzz-acc'), hostileText()), firstName: plantedName(), lastName: plantedName(), locale: fc.oneof(fc.constantFrom('ja', 'en'), hostileText()), timeZone: fc.oneof(fc.constant('Asia/Tokyo'), hostileText()), consent: fc.oneof(fc.constant('granted'), hostileText()), topicsOptedOut: fc.array(hostileText(), { maxLength: 2 }) }, { requiredKeys: [] }), { maxLength: 3 }),
    records: fc.array(fc.record({ accountId: fc.oneof(fc.constant('fuzz-acc'), hostileText()), contactId: fc.oneof(fc.constant('fuzz-en'), hostileText()), at: hostileText(), metrics: fc.dictionary(hostileText(), fc.oneof(fc.double(), hostileJson()), { maxKeys: 3 }) }, { requiredKeys: [] }), { maxLength: 3 }),
    outcomes: fc.array(hostileJson(), { maxLength: 3 }),
    attendees: fc.array(fc.record({ email: plantedEmail(), name: plantedName(), minutes: fc.oneof(fc.integer(), hostileText()) }, { requiredKeys: [] }), { maxLength: 3 }),
  }, { requiredKeys: [] });

const ingestApi: FuzzProperty<unknown> = fuzzProperty({
  target: 'ingest API',
  numRuns: 500,
  input: () =>
    fc.record({
      path: fc.oneof(
        fc.constantFrom('/api/ingest/customers', '/api/ingest/usage', '/api/ingest/csql-outcomes', '/api/ingest/webinars/dashboards-101/sessions/tokyo-dec-10/attendance'),
        fc.tuple(hostileText(), hostileText()).map(([webinar, session]) => `/api/ingest/webinars/${pathSegment(webinar) || 'w'}/sessions/${pathSegment(session) || 's'}/attendance`),
      ),
      method: fc.oneof({ weight: 4, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom(...HTTP_METHODS) }),
      authorization: fc.oneof(
        { weight: 3, arbitrary: fc.constant<string | undefined>(`Bearer ${INGEST_TOKEN}`) },
        { weight: 2, arbitrary: fc.constantFrom<string | undefined>(undefined, 'Bearer', `Bearer ${INGEST_TOKEN}x`, `Bearer ${INGEST_TOKEN.slice(0, -1)}`, `Basic ${INGEST_TOKEN}`, `bearer  ${INGEST_TOKEN}`, `Bearer ${'A'.repeat(5000)}`) },
        { weight: 1, arbitrary: hostileHeaderValue() },
      ),
      body: fc.oneof({ weight: 2, arbitrary: ingestRecords().map((value) => ({ contentType: 'application/json', body: JSON.stringify(value) }) as HostileBody) }, { weight: 2, arbitrary: hostileBody() }),
    }),
  check: async (world, input, totals) => {
    const { path, method, authorization, body } = input;
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    const request = { method, path, headers, body };
    const writesBefore = world.writes();
    const status = await answer(world.app, request);
    refuseServerError(totals, status, describeCase(request));
    // The scheme is case-insensitive (RFC 7235) and Hono's bearer check allows more than one space.
    const authorized = new RegExp(`^bearer +${INGEST_TOKEN}$`, 'i').test(authorization ?? '');
    if (!authorized && status < 400) throw new Error(`${describeCase(request)}: without the ingest token answered ${status}`);
    expectCleanCase(world, describeCase(request), { writesBefore, mayWrite: authorized && status < 400, secrets: [INGEST_TOKEN] });
  },
});

const zoomWebhook: FuzzProperty<unknown> = fuzzProperty({
  target: 'Zoom webhook',
  numRuns: 500,
  input: () =>
    fc.record({
      rawBody: zoomPayload(),
      signing: fc.constantFrom('genuine', 'genuine', 'genuine', 'other-secret', 'stale', 'missing', 'hostile'),
      hostile: hostileHeaderValue(),
      contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
    }),
  check: async (world, input, totals) => {
    const { rawBody, signing, hostile, contentType } = input;
    const at = signing === 'stale' ? new Date(world.now.getTime() - 3_600_000) : world.now;
    const signed = signAsZoom(rawBody, signing === 'other-secret' ? 'someone-else-s-zoom-secret' : ZOOM_SECRET, at);
    const headers: Record<string, string> =
      signing === 'missing' ? {} : signing === 'hostile' ? { 'x-zm-request-timestamp': hostile, 'x-zm-signature': hostile } : { 'x-zm-request-timestamp': signed.timestamp, 'x-zm-signature': signed.signature };
    const request = { method: 'POST', path: '/webhooks/zoom', headers, body: { contentType, body: rawBody } };
    const writesBefore = world.writes();
    const status = await answer(world.app, request);
    refuseServerError(totals, status, describeCase(request));
    if (signing !== 'genuine' && status !== 401 && status !== 413) throw new Error(`Zoom webhook signed '${signing}' answered ${status}, not 401`);
    expectCleanCase(world, describeCase(request), { writesBefore, mayWrite: status === 200, secrets: [ZOOM_SECRET] });
  },
});

const dashboard: FuzzProperty<unknown> = fuzzProperty({
  target: 'dashboard and its login',
  numRuns: 200,
  input: (world) =>
    fc.record({
      path: fc.constantFrom('/dashboard', '/dashboard/', '/dashboard/api/view', '/dashboard/assets/dashboard.js', '/dashboard/login', '/dashboard/nothing'),
      loginToken: fc.option(fc.oneof(forgedToken(world.dashboardCookie.split('=')[1] ?? 'x', 'eyJhbGciOiJub25lIn0.eyJwdXJwb3NlIjoiZGFzaGJvYXJkLWxvZ2luIn0.'), hostileText()), { nil: undefined }),
      cookie: fc.oneof(
        fc.constant<string | undefined>(undefined),
        fc.constant(world.dashboardCookie),
        forgedToken(world.dashboardCookie.split('=')[1] ?? 'x', 'eyJhbGciOiJub25lIn0.eyJwdXJwb3NlIjoiZGFzaGJvYXJkLXNlc3Npb24ifQ.').map((token) => `${DASHBOARD_COOKIE}=${token.replace(/[;\r\n]/g, '')}`),
      ),
      query: lang(),
      acceptLanguage: hostileHeaderValue(),
      method: fc.constantFrom('GET', 'GET', 'POST', 'HEAD', 'DELETE'),
    }),
  check: async (world, input, totals) => {
    const { path, loginToken, cookie, query, acceptLanguage, method } = input;
    const search = loginToken === undefined ? query : `${query ? `${query}&` : '?'}token=${queryValue(loginToken)}`;
    const headers: Record<string, string> = { 'accept-language': acceptLanguage, ...(cookie === undefined ? {} : { cookie: cookie.replace(/[^\u0020-\u007e]/g, '') }) };
    const request = { method, path: `${path}${search}`, headers };
    const writesBefore = world.writes();
    const status = await answer(world.app, request);
    refuseServerError(totals, status, describeCase(request));
    const hasSession = cookie === world.dashboardCookie;
    if (!hasSession && path !== '/dashboard/login' && method === 'GET' && status !== 401) throw new Error(`${describeCase(request)}: without a session answered ${status}, not 401`);
    // The dashboard reads only; its secret-signed tokens stay out of the logs.
    expectCleanCase(world, describeCase(request), { writesBefore, mayWrite: false, secrets: [DASHBOARD_SECRET, world.dashboardCookie.split('=')[1] ?? ''] });
  },
});

/** Path segments of every kind, raw malformed percent-encoding included. */
const hostilePath = (): fc.Arbitrary<string> =>
  fc
    .array(fc.oneof(hostileText().map(pathSegment), fc.constantFrom('%', '%E0%A4%A', '%ED%A0%80', '%00', '%0d%0a', '..', '.', '', 'api', 'ingest', 'dashboard', 'webhooks', 'zoom', 'o', 'c', 'u', 'p', 'w', 's', 'health', '%2e%2e', '%252e')), { minLength: 1, maxLength: 6 })
    .map((segments) => `/${segments.join('/')}`);

const anyPath = (appOf: (world: FuzzWorld) => Array<{ name: string; app: Hono }>, target: string, numRuns: number): FuzzProperty<unknown> =>
  fuzzProperty({
    target,
    numRuns,
    input: (world) => fc.record({ app: fc.constantFrom(...appOf(world)), path: hostilePath(), method: fc.constantFrom(...HTTP_METHODS), headers: hostileHeaders(), body: fc.option(hostileBody(), { nil: undefined }) }),
    check: async (world, input, totals) => {
      const { app, path, method, headers, body } = input;
      const request = { method, path, headers, body };
      const writesBefore = world.writes();
      refuseServerError(totals, await answer(app.app, request), `${app.name}: ${describeCase(request)}`);
      expectCleanCase(world, `${app.name}: ${describeCase(request)}`, { writesBefore, mayWrite: false });
    },
  });

export const HTTP_PROPERTIES: ReadonlyArray<FuzzProperty<unknown>> = [
  forgedLinks,
  genuineLinks,
  ingestApi,
  zoomWebhook,
  dashboard,
  anyPath((world) => [{ name: 'whole app', app: world.app }], 'any path, any method (whole app)', 300),
  anyPath((world) => world.lambdaApps, 'any path, any method (tracking, dashboard and Zoom webhook functions)', 300),
];
