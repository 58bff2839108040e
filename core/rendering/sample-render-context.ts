/**
 * A realistic recipient per language, for `npm run validate` (every template must render
 * against it) and for previews. Values are long-ish and contain characters that need
 * escaping (&, quotes), so a preview shows what real data looks like. Declared custom
 * attributes get a sample value of their type, so a template using one validates.
 * The webinar data is what the sender has at each stage (core/webinars/webinar-message.ts),
 * for an online session (a join link) or an in-person one (a venue, no join link).
 */
import { NO_ATTRIBUTES, type AttributeDeclaration, type Attributes } from '../config/schema/attributes.ts';
import type { Locale } from '../config/schema/common.ts';
import type { WebinarStage } from './message-templates.ts';
import type { RenderContext, SurveyRenderContext, WebinarRenderContext } from './render-context.ts';

const LINKS = {
  unsubscribe: 'https://mail.example.com/u/sample-unsubscribe-token',
  preferences: 'https://mail.example.com/p/sample-preferences-token',
} as const;

/** A fixed "now" (09:30 in Tokyo), so a preview's dates do not change from run to run. */
const SAMPLE_NOW = '2026-12-01T00:30:00.000Z';

/** What a webinar email can hold, all of it: each stage takes its part. */
type SampleWebinarData = Required<WebinarRenderContext>;

/** How the sample session is held: online (join link, no venue) or in person (venue, no join link). */
export type SampleSession = 'online' | 'in-person';
export const SAMPLE_SESSIONS: readonly SampleSession[] = ['online', 'in-person'];

/** A message's webinar stage, or `any`: every piece of webinar data some message has (for a template no message uses yet). */
export type SampleWebinarStage = WebinarStage | 'any';

const SAMPLES: Record<Locale, { context: Omit<RenderContext, 'webinar'>; webinar: SampleWebinarData }> = {
  ja: {
    context: {
      now: SAMPLE_NOW,
      contact: {
        firstName: '太郎',
        lastName: '山田',
        email: 'taro.yamada@example.co.jp',
        locale: 'ja',
        timeZone: 'Asia/Tokyo',
        role: '情報システム部 部長',
        attributes: {},
      },
      account: {
        name: '株式会社サンプル商事',
        plan: 'professional',
        tier: 'tier1',
        phase: 'adoption',
        products: ['core', 'analytics'],
        csmOwner: 'csm-sato',
        mrr: 120000,
        currency: 'JPY',
        attributes: {},
      },
      // validate replaces it with the message's own sender identity (senders config).
      sender: { name: 'Example株式会社 カスタマーサクセス', organization: 'Example株式会社', postalAddress: '〒150-0002 東京都渋谷区渋谷2-21-1 渋谷ヒカリエ 20F' },
      links: LINKS,
    },
    webinar: {
      title: 'ダッシュボード活用入門 ― 定期レポート & Slack 連携',
      startsAtLocal: '2026年12月10日(木) 14:00～15:00 (日本標準時)',
      startsIn: '24時間後',
      joinUrl: 'https://zoom.example.com/j/81234567890?pwd=sample',
      // The venue's name and address, joined as webinar-message.ts joins them.
      venue: 'Example株式会社 本社セミナールーム, 〒150-0002 東京都渋谷区渋谷2-21-1 渋谷ヒカリエ 20F',
      calendarUrl: 'https://mail.example.com/w/ics/sample-calendar-token',
      registerUrl: 'https://mail.example.com/w/r/sample-registration-token',
      recordingUrl: 'https://www.example.com/ja/webinars/dashboards-101/recording',
      surveyUrl: 'https://mail.example.com/w/s/sample-survey-token',
      watchedMinutes: 23,
    },
  },
  en: {
    context: {
      now: SAMPLE_NOW,
      contact: {
        firstName: 'Alex',
        lastName: "O'Neil",
        email: 'alex.oneil@example.com',
        locale: 'en',
        timeZone: 'America/New_York',
        role: 'VP, Sales & Marketing Operations',
        attributes: {},
      },
      account: {
        name: 'Northwind Traders & Co.',
        plan: 'standard',
        tier: 'tier2',
        phase: 'nurturing',
        products: ['core'],
        // A low-touch account has no named CSM: templates must cope with null (`| default`).
        csmOwner: null,
        mrr: 1200,
        currency: 'USD',
        attributes: {},
      },
      sender: { name: 'Example Customer Success', organization: 'Example K.K.', postalAddress: 'Shibuya Hikarie 20F, 2-21-1 Shibuya, Shibuya-ku, Tokyo 150-0002, Japan' },
      links: LINKS,
    },
    webinar: {
      title: 'Dashboards 101: scheduled reports & Slack alerts',
      startsAtLocal: 'Fri, December 11, 2026, 10:00 AM – 11:00 AM (Eastern Standard Time)',
      startsIn: 'in 24 hours',
      joinUrl: 'https://zoom.example.com/j/81234567891?pwd=sample',
      venue: "Example Customer Center, O'Hara Room, 100 Main Street, Brooklyn, NY 11201",
      calendarUrl: 'https://mail.example.com/w/ics/sample-calendar-token',
      registerUrl: 'https://mail.example.com/w/r/sample-registration-token',
      recordingUrl: 'https://www.example.com/en/webinars/dashboards-101/recording',
      surveyUrl: 'https://mail.example.com/w/s/sample-survey-token',
      watchedMinutes: 23,
    },
  },
};

/**
 * The sample recipient in `locale`. `webinar` says what exists when the email is sent:
 * nothing (campaigns, sequences), an invitation (title, time and registration link), an
 * upcoming webinar (no recording yet), or an ended one; `session` whether the session has a
 * join link or a venue. `attributes` are the declared custom attributes (config.attributes):
 * each gets a sample value.
 */
export function sampleRenderContext(
  locale: Locale,
  webinar: SampleWebinarStage = 'ended',
  attributes: Pick<Attributes, 'contact' | 'account'> = NO_ATTRIBUTES,
  session: SampleSession = 'online',
  survey = false,
): RenderContext {
  const sample = SAMPLES[locale];
  const context: RenderContext = structuredClone(sample.context);
  context.contact.attributes = Object.fromEntries(attributes.contact.map((declaration) => [declaration.id, sampleValue(declaration, locale)]));
  context.account.attributes = Object.fromEntries(attributes.account.map((declaration) => [declaration.id, sampleValue(declaration, locale)]));
  if (survey) context.survey = sampleSurvey(locale);
  if (webinar === 'none') return context;
  return { ...context, webinar: sampleWebinar(sample.webinar, webinar, session) };
}

/** The part of the webinar data a message has at `stage`, as webinar-message.ts builds it. */
function sampleWebinar(data: SampleWebinarData, stage: Exclude<SampleWebinarStage, 'none'>, session: SampleSession): WebinarRenderContext {
  const { title, startsAtLocal, joinUrl, venue, calendarUrl, registerUrl, recordingUrl, surveyUrl, watchedMinutes } = data;
  const where = session === 'online' ? { joinUrl } : { venue };
  switch (stage) {
    case 'invitation':
      // Never a join link or calendar file: those come with the confirmation.
      return { title, startsAtLocal, ...(session === 'online' ? {} : { venue }), registerUrl };
    case 'upcoming':
      // startsIn: reminders have it; a confirmation template that used it would fail here, as it would when sent.
      return { title, startsAtLocal, ...where, calendarUrl, startsIn: data.startsIn };
    case 'ended':
      return { title, startsAtLocal, ...where, calendarUrl, recordingUrl, surveyUrl, watchedMinutes };
    case 'any':
      return { title, startsAtLocal, ...where, calendarUrl, registerUrl, recordingUrl, surveyUrl, watchedMinutes, startsIn: data.startsIn };
  }
}

/** A survey's question and answer links, as send-emails.ts builds them (core/surveys/answer-token.ts). */
function sampleSurvey(locale: Locale): SurveyRenderContext {
  const answers = Array.from({ length: 11 }, (_, score) => ({ score, url: `https://mail.example.com/s/sample-answer-token-${score}` }));
  const question = locale === 'ja' ? 'Example を同僚やお知り合いに薦める可能性はどのくらいありますか？' : 'How likely are you to recommend Example to a friend or colleague?';
  return { id: 'sample-nps', question, answerUrls: answers.map((answer) => answer.url), answers };
}

/** A plausible value of the declared type: the first allowed value, the label as text, a date after the sample now. */
function sampleValue(declaration: AttributeDeclaration, locale: Locale): string | number | boolean {
  switch (declaration.type) {
    case 'string':
      return declaration.values?.[0] ?? declaration.label[locale] ?? declaration.id;
    case 'number':
      return 250;
    case 'boolean':
      return true;
    case 'date':
      return '2027-03-31';
  }
}
