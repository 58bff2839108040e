/**
 * The configured webinars looked up the ways the engine needs: a session by webinar and session
 * id, by the platform's id (Zoom webhooks and reports), the next session open for registration,
 * and the state a session starts from before anything happens to it.
 */
import { parseDuration } from '../config/duration.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import { localToUtc, parseLocalDateTime } from '../config/local-date-time.ts';
import type { WebinarPolicy } from '../config/schema/messages.ts';
import type { WebinarConfig, WebinarSessionConfig } from '../config/schema/webinars.ts';
import type { SessionState } from './webinar.ts';

export interface ConfiguredSession {
  webinar: WebinarConfig;
  session: WebinarSessionConfig;
  policy: WebinarPolicy;
  /** As configured (UTC); the stored state may have moved it since. */
  startsAt: Date;
  endsAt: Date;
}

export class UnknownWebinarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownWebinarError';
  }
}

function configured(config: EngineConfig, webinar: WebinarConfig, session: WebinarSessionConfig): ConfiguredSession {
  const policy = config.webinarPolicies.find((candidate) => candidate.id === webinar.policy);
  // validate guarantees these; a bundled config that lacks them is a deployment mistake, said plainly.
  if (!policy) throw new UnknownWebinarError(`webinar '${webinar.id}' names policy '${webinar.policy}', which is not in the config`);
  const local = parseLocalDateTime(session.startsAt);
  if (!local) throw new UnknownWebinarError(`webinar '${webinar.id}' session '${session.id}': startsAt '${session.startsAt}' is not a local date and time`);
  const startsAt = localToUtc(local, session.timezone);
  return { webinar, session, policy, startsAt, endsAt: new Date(startsAt.getTime() + (parseDuration(session.duration) ?? 0)) };
}

export function findSession(config: EngineConfig, webinarId: string, sessionId: string): ConfiguredSession | undefined {
  const webinar = config.webinars.find((candidate) => candidate.id === webinarId);
  const session = webinar?.sessions.find((candidate) => candidate.id === sessionId);
  return webinar && session ? configured(config, webinar, session) : undefined;
}

export function requireSession(config: EngineConfig, webinarId: string, sessionId: string): ConfiguredSession {
  const found = findSession(config, webinarId, sessionId);
  if (!found) throw new UnknownWebinarError(`no session '${sessionId}' of webinar '${webinarId}' in the config`);
  return found;
}

/** The session a platform id (the Zoom webinar id, digits only) belongs to. */
export function sessionByPlatformId(config: EngineConfig, platformId: string): ConfiguredSession | undefined {
  for (const webinar of config.webinars) {
    const session = webinar.sessions.find((candidate) => candidate.zoomWebinarId === platformId);
    if (session) return configured(config, webinar, session);
  }
  return undefined;
}

export function sessionsOf(config: EngineConfig, webinarId: string): ConfiguredSession[] {
  const webinar = config.webinars.find((candidate) => candidate.id === webinarId);
  return webinar ? webinar.sessions.map((session) => configured(config, webinar, session)) : [];
}

export function allSessions(config: EngineConfig): ConfiguredSession[] {
  return config.webinars.flatMap((webinar) => webinar.sessions.map((session) => configured(config, webinar, session)));
}

/** The state of a session nothing has happened to yet. */
export function initialSessionState(configuredSession: ConfiguredSession): SessionState {
  return {
    webinarId: configuredSession.webinar.id,
    sessionId: configuredSession.session.id,
    startsAt: configuredSession.startsAt.toISOString(),
    endsAt: configuredSession.endsAt.toISOString(),
    status: 'scheduled',
    revision: 0,
  };
}
