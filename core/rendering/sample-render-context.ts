/**
 * A realistic recipient per language, for `npm run validate` (every template must render
 * against it) and for previews. Values are long-ish and contain characters that need
 * escaping (&, quotes), so a preview shows what real data looks like.
 */
import type { Locale } from '../config/schema/common.ts';
import type { WebinarStage } from './message-templates.ts';
import type { RenderContext, WebinarRenderContext } from './render-context.ts';

const LINKS = {
  unsubscribe: 'https://mail.example.com/u/sample-unsubscribe-token',
  preferences: 'https://mail.example.com/p/sample-preferences-token',
} as const;

const SAMPLES: Record<Locale, { context: Omit<RenderContext, 'webinar'>; webinar: WebinarRenderContext }> = {
  ja: {
    context: {
      contact: { firstName: '太郎', lastName: '山田', email: 'taro.yamada@example.co.jp', locale: 'ja' },
      account: { name: '株式会社サンプル商事', plan: 'professional' },
      links: LINKS,
    },
    webinar: {
      title: 'ダッシュボード活用入門 ― 定期レポート & Slack 連携',
      startsAtLocal: '2026年12月10日（木）14:00〜15:00',
      joinUrl: 'https://zoom.example.com/j/81234567890?pwd=sample',
      recordingUrl: 'https://www.example.com/ja/webinars/dashboards-101/recording',
      surveyUrl: 'https://example.com/survey/webinar',
    },
  },
  en: {
    context: {
      contact: { firstName: 'Alex', lastName: "O'Neil", email: 'alex.oneil@example.com', locale: 'en' },
      account: { name: 'Northwind Traders & Co.', plan: 'standard' },
      links: LINKS,
    },
    webinar: {
      title: 'Dashboards 101: scheduled reports & Slack',
      startsAtLocal: 'Thu, 10 Dec 2026, 2:00 PM (GMT+9)',
      joinUrl: 'https://zoom.example.com/j/81234567890?pwd=sample',
      recordingUrl: 'https://www.example.com/en/webinars/dashboards-101/recording',
      surveyUrl: 'https://example.com/survey/webinar',
    },
  },
};

/**
 * The sample recipient in `locale`. `webinar` says what exists when the email is sent:
 * nothing (campaigns, sequences), an upcoming webinar (no recording yet), or an ended one.
 */
export function sampleRenderContext(locale: Locale, webinar: WebinarStage = 'ended'): RenderContext {
  const sample = SAMPLES[locale];
  const context: RenderContext = structuredClone(sample.context);
  if (webinar === 'none') return context;
  const { recordingUrl: _recording, surveyUrl: _survey, ...upcoming } = sample.webinar;
  return { ...context, webinar: webinar === 'upcoming' ? upcoming : { ...sample.webinar } };
}
