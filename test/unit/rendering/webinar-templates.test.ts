/**
 * What a registrant sees in the shipped webinar emails: a join button only for an online
 * session, the venue only for an in-person one, the calendar file wherever the session is known,
 * and in an invitation the one-click registration link and nothing to join yet.
 */
import { describe, expect, it } from 'vitest';
import { LOCALES, type Locale } from '../../../core/config/schema/common.ts';
import { compileTemplate } from '../../../core/rendering/compile-template.ts';
import type { RenderContext } from '../../../core/rendering/render-context.ts';
import { renderEmail, type RenderedEmail } from '../../../core/rendering/render-email.ts';
import { sampleRenderContext, type SampleSession, type SampleWebinarStage } from '../../../core/rendering/sample-render-context.ts';
import { configFrom, versionOf } from './rendering-fixtures.ts';

const config = configFrom();

async function render(templateId: string, locale: Locale, stage: SampleWebinarStage, session: SampleSession = 'online'): Promise<{ email: RenderedEmail; webinar: RenderContext['webinar'] }> {
  const context = sampleRenderContext(locale, stage, config.attributes, session);
  return { email: renderEmail(await compileTemplate(versionOf(config, templateId, locale)), context), webinar: context.webinar };
}

/** The anchors' targets, decoded as a mail client follows them. */
function hrefsOf(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1]!.replaceAll('&amp;', '&'));
}

const CALENDAR_LABEL: Record<Locale, string> = { en: 'Add to calendar (.ics)', ja: 'カレンダーに追加 (.ics)' };
const VENUE_HEADING: Record<Locale, string> = { en: 'Where', ja: '会場' };

describe('webinar emails before the session', () => {
  for (const templateId of ['webinar-confirmation', 'webinar-reminder', 'webinar-rescheduled']) {
    for (const locale of LOCALES) {
      it(`${templateId}/${locale}: an online session has the join button and the calendar file, and no venue`, async () => {
        const { email, webinar } = await render(templateId, locale, 'upcoming', 'online');
        expect(hrefsOf(email.html)).toContain(webinar?.joinUrl);
        expect(hrefsOf(email.html)).toContain(webinar?.calendarUrl);
        expect(email.text).toContain(`${CALENDAR_LABEL[locale]} [${webinar?.calendarUrl}]`);
        expect(email.text).not.toMatch(new RegExp(`^${VENUE_HEADING[locale]}$`, 'm'));
      });

      it(`${templateId}/${locale}: an in-person session shows the venue and the calendar file, and no join link`, async () => {
        const { email, webinar } = await render(templateId, locale, 'upcoming', 'in-person');
        const online = sampleRenderContext(locale, 'upcoming').webinar;
        expect(email.text).toMatch(new RegExp(`^${VENUE_HEADING[locale]}$`, 'm'));
        expect(email.text.replace(/\s+/g, ' ')).toContain(webinar?.venue);
        expect(hrefsOf(email.html)).toContain(webinar?.calendarUrl);
        expect(hrefsOf(email.html)).not.toContain(online?.joinUrl);
        expect(email.text).not.toContain('zoom.example.com');
      });
    }
  }

  for (const locale of LOCALES) {
    it(`webinar-cancelled/${locale}: says which session is cancelled, with no link to join or add it`, async () => {
      const { email, webinar } = await render('webinar-cancelled', locale, 'upcoming');
      expect(email.text.replace(/\s+/g, '')).toContain(webinar?.startsAtLocal.replace(/\s+/g, ''));
      expect(hrefsOf(email.html)).not.toContain(webinar?.joinUrl);
      expect(hrefsOf(email.html)).not.toContain(webinar?.calendarUrl);
    });
  }
});

describe('webinar invitations', () => {
  for (const locale of LOCALES) {
    it(`webinar-invitation/${locale}: a one-click registration button, the time, and no form or join link`, async () => {
      const { email, webinar } = await render('webinar-invitation', locale, 'invitation');
      expect(webinar?.joinUrl).toBeUndefined();
      expect(hrefsOf(email.html)).toContain(webinar?.registerUrl);
      expect(email.text).toContain(locale === 'en' ? 'Register with one click' : 'ワンクリックで参加登録');
      expect(email.text).toContain(locale === 'en' ? 'No form to fill in' : 'フォームへのご入力は不要です');
      expect(email.subject).toContain(webinar?.title);
      expect(email.text.replace(/\s+/g, '')).toContain(webinar?.startsAtLocal.replace(/\s+/g, ''));
    });

    it(`webinar-invitation/${locale}: names the venue of an in-person session`, async () => {
      const { email, webinar } = await render('webinar-invitation', locale, 'invitation', 'in-person');
      expect(email.text.replace(/\s+/g, ' ')).toContain(webinar?.venue);
    });
  }
});

describe('follow-ups for attendees who left early', () => {
  for (const locale of LOCALES) {
    it(`webinar-left-early/${locale}: how long they watched, the recording and the survey`, async () => {
      const { email, webinar } = await render('webinar-left-early', locale, 'ended');
      expect(email.text).toContain(locale === 'en' ? `You watched ${webinar?.watchedMinutes} minutes` : `${webinar?.watchedMinutes}分ほどご視聴いただきました`);
      expect(hrefsOf(email.html)).toEqual(expect.arrayContaining([webinar?.recordingUrl, webinar?.surveyUrl]));
    });
  }
});
