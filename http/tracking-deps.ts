/**
 * What the routes behind email links (open, click, unsubscribe, preferences) need, and the neutral
 * answer they all give a link that is not valid: it says nothing about why and writes nothing.
 */
import type { Context } from 'hono';
import type { Topics } from '../core/config/schema/settings.ts';
import type { Clock, CustomerStore, EngagementRecorder, SendStore, SuppressionStore } from '../core/ports.ts';
import type { ClientIpResolver } from './request-facts.ts';
import type { WebinarLinkDeps } from './webinar-link-routes.ts';
import type { SurveyLinkDeps } from './survey-routes.ts';
import { invalidLinkPage } from './subscription-pages.ts';

export interface TrackingHttpDeps {
  customers: Pick<CustomerStore, 'getContact' | 'setTopicOptOuts'>;
  /** The click rules also read the recipient's opens and clicks of the email, and move reclassified clicks' counts. */
  sends: Pick<SendStore, 'getSend' | 'getMessageLinks' | 'trackedEventsOfSend'>;
  engagement: EngagementRecorder;
  suppressions: Pick<SuppressionStore, 'suppress' | 'suppressedAmong'>;
  /** The preference centre's topics (config `topics`). */
  topics: Topics;
  clock: Clock;
  /** The link-signing secret the sender signs with (Secrets Manager in AWS, `.local/link-secret` locally). */
  tokenSecret: string;
  /** Where a click on a link that is not valid goes; without it, a plain "not valid" page (404). */
  homepageUrl?: string;
  /** A click sooner than this after the send is a scanner's (default 10 s). */
  minHumanClickDelayMs?: number;
  /** The client address (default: the last X-Forwarded-For entry). */
  clientIp?: ClientIpResolver;
  /** Structured log lines (ids only, never addresses). */
  log?: (entry: Record<string, unknown>) => void;
  /** The webinar links (registration, calendar, survey) under /w; absent, they answer 404. */
  webinarLinks?: WebinarLinkDeps;
  /** The survey answer links (/s/<token>: a GET shows, a POST saves); absent, they answer 404. */
  surveyLinks?: SurveyLinkDeps;
}

export const NO_STORE = { 'Cache-Control': 'no-store, no-cache, must-revalidate, max-age=0', Pragma: 'no-cache', Expires: '0' } as const;

/** A plain "not valid" page (404), or a redirect to the homepage when one is configured. */
export function notValidLink(c: Context, homepageUrl?: string): Response | Promise<Response> {
  c.header('Cache-Control', NO_STORE['Cache-Control']);
  c.header('X-Robots-Tag', 'noindex');
  if (homepageUrl) return c.redirect(homepageUrl, 302);
  return c.html(invalidLinkPage(), 404);
}
