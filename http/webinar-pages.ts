/**
 * The pages behind the webinar links in emails, in Japanese and English: the one-click
 * registration page (its one button registers: link scanners fetch the page, they do not press
 * it), the registered page with the optional question, and the answer saved. Values are escaped by
 * Hono's `html` helper; forms post back to the same token URL.
 */
import { html } from 'hono/html';
import type { Locale } from '../core/config/schema/common.ts';

type Markup = ReturnType<typeof html>;

export interface RegistrationView {
  locale: Locale;
  title: string;
  startsAtLocal: string;
  venue?: string;
  /** The question the team asks after registration, if any. */
  question?: string;
  /** Relative: the token URL and the calendar file. */
  action: string;
  calendarUrl: string;
}

export type RegistrationState = 'offer' | 'registered' | 'answered' | 'closed' | 'cancelled';

const TEXTS: Record<Locale, { register: string; registered: string; answered: string; closed: string; cancelled: string; addToCalendar: string; send: string; heading: string }> = {
  ja: {
    heading: 'ウェビナーのお申し込み',
    register: 'このボタンで申し込む（入力不要）',
    registered: 'お申し込みを受け付けました。確認メールをお送りします。',
    answered: 'ご回答ありがとうございます。当日の内容の参考にさせていただきます。',
    closed: 'このウェビナーの受付は終了しました。',
    cancelled: 'このウェビナーは中止になりました。',
    addToCalendar: 'カレンダーに追加 (.ics)',
    send: '送信する',
  },
  en: {
    heading: 'Webinar registration',
    register: 'Register with this button (no form)',
    registered: 'You are registered. A confirmation email is on its way.',
    answered: 'Thank you: we will use your answer to prepare the session.',
    closed: 'Registration for this webinar has closed.',
    cancelled: 'This webinar has been cancelled.',
    addToCalendar: 'Add to calendar (.ics)',
    send: 'Send',
  },
};

export function registrationPage(view: RegistrationView, state: RegistrationState): Markup {
  const t = TEXTS[view.locale];
  const details = html`<p><strong>${view.title}</strong><br>${view.startsAtLocal}${view.venue ? html`<br>${view.venue}` : ''}</p>`;
  let body: Markup;
  if (state === 'offer') {
    body = html`${details}<form method="post" action="${view.action}"><input type="hidden" name="form" value="register"><button type="submit">${t.register}</button></form>`;
  } else if (state === 'closed' || state === 'cancelled') {
    body = html`${details}<p role="status">${state === 'closed' ? t.closed : t.cancelled}</p>`;
  } else {
    const question =
      state === 'registered' && view.question
        ? html`<form method="post" action="${view.action}"><input type="hidden" name="form" value="answer"><label for="answer">${view.question}</label><br><textarea id="answer" name="answer" rows="4" maxlength="2000"></textarea><br><button type="submit">${t.send}</button></form>`
        : '';
    body = html`${details}<p role="status">${state === 'answered' ? t.answered : t.registered}</p><p><a href="${view.calendarUrl}">${t.addToCalendar}</a></p>${question}`;
  }
  return html`<!doctype html>
<html lang="${view.locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${t.heading}</title><style>
body{font-family:-apple-system,"Hiragino Sans","Noto Sans JP",Meiryo,Helvetica,Arial,sans-serif;background:#f4f5f7;color:#1f2933;margin:0}
main{max-width:560px;margin:40px auto;background:#fff;padding:24px 32px;border-radius:8px}
button{background:#2456d1;color:#fff;border:0;border-radius:4px;padding:10px 20px;font-size:15px;cursor:pointer}
textarea{width:100%;box-sizing:border-box}
</style></head>
<body><main><h1>${t.heading}</h1>${body}</main></body>
</html>`;
}
