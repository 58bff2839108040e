/**
 * The pages behind survey answer links, in Japanese and English: the confirm page a GET shows
 * ("Your answer: 8" and a Save button; link scanners fetch it, they do not press it), the
 * thank-you page with the optional comment form, and the closed page. Values are escaped by
 * Hono's `html` helper; forms post back to the same token URL.
 */
import { html } from 'hono/html';
import type { Locale } from '../core/config/schema/common.ts';

type Markup = ReturnType<typeof html>;

export type SurveyPageState = 'confirm' | 'saved' | 'commented' | 'closed';

export interface SurveyPageView {
  locale: Locale;
  question: string;
  /** The score of the link. */
  score: number;
  /** The score already stored, when it differs from the link's (saving changes it). */
  previousScore?: number;
  commentEnabled: boolean;
  commentPrompt: string;
  /** The comment already stored, shown in the box to change it. */
  comment?: string;
  /** Relative form action (the token URL with the page's language). */
  action: string;
}

const TEXTS: Record<Locale, {
  heading: string;
  yourAnswer: string;
  save: string;
  confirmHint: string;
  previous: (score: number) => string;
  saved: string;
  commented: string;
  closed: string;
  sendComment: string;
  commentOptional: string;
  defaultPrompt: string;
  languageName: string;
}> = {
  ja: {
    heading: 'アンケートへのご回答',
    yourAnswer: 'あなたの回答',
    save: 'この回答を保存する',
    confirmHint: 'ボタンを押すと回答が保存されます。',
    previous: (score) => `以前の回答（${score}）はこの回答に変更されます。`,
    saved: 'ご回答ありがとうございました。回答を保存しました。',
    commented: 'コメントをお送りいただきありがとうございます。',
    closed: 'このアンケートの受付は終了しました。',
    sendComment: 'コメントを送信する',
    commentOptional: '（任意）',
    defaultPrompt: 'そのように評価された理由をお聞かせください。',
    languageName: '日本語',
  },
  en: {
    heading: 'Your survey answer',
    yourAnswer: 'Your answer',
    save: 'Save this answer',
    confirmHint: 'Your answer is saved when you press the button.',
    previous: (score) => `Your earlier answer (${score}) will be changed to this one.`,
    saved: 'Thank you: your answer is saved.',
    commented: 'Thank you for your comment.',
    closed: 'This survey is closed.',
    sendComment: 'Send comment',
    commentOptional: '(optional)',
    defaultPrompt: 'What is the main reason for your score?',
    languageName: 'English',
  },
};

export function surveyPage(view: SurveyPageView, state: SurveyPageState): Markup {
  const t = TEXTS[view.locale];
  const answer = html`<p class="question">${view.question}</p><p class="answer">${t.yourAnswer}: <strong data-score="${String(view.score)}">${String(view.score)}</strong></p>`;
  const commentBox = (form: 'answer' | 'comment') =>
    view.commentEnabled
      ? html`<label for="comment">${view.commentPrompt} ${t.commentOptional}</label><br><textarea id="comment" name="comment" rows="4" maxlength="2000">${view.comment ?? ''}</textarea><br>${form === 'comment' ? html`<input type="hidden" name="form" value="comment"><button type="submit">${t.sendComment}</button>` : ''}`
      : '';
  let body: Markup;
  if (state === 'closed') {
    body = html`<p class="question">${view.question}</p><p role="status">${t.closed}</p>`;
  } else if (state === 'confirm') {
    body = html`${answer}${view.previousScore === undefined ? '' : html`<p>${t.previous(view.previousScore)}</p>`}
<form method="post" action="${view.action}"><input type="hidden" name="form" value="answer">${commentBox('answer')}<p>${t.confirmHint}</p><button type="submit">${t.save}</button></form>`;
  } else {
    const comment = view.commentEnabled ? html`<form method="post" action="${view.action}">${commentBox('comment')}</form>` : '';
    body = html`${answer}<p role="status">${state === 'commented' ? t.commented : t.saved}</p>${comment}`;
  }
  const other: Locale = view.locale === 'ja' ? 'en' : 'ja';
  return html`<!doctype html>
<html lang="${view.locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${t.heading}</title><style>
body{font-family:-apple-system,"Hiragino Sans","Noto Sans JP",Meiryo,Helvetica,Arial,sans-serif;background:#f4f5f7;color:#1f2933;margin:0}
main{max-width:560px;margin:40px auto;background:#fff;padding:24px 32px;border-radius:8px}
nav{text-align:right;font-size:14px}
.answer strong{font-size:28px;margin-left:8px}
button{background:#2456d1;color:#fff;border:0;border-radius:4px;padding:10px 20px;font-size:15px;cursor:pointer}
textarea{width:100%;box-sizing:border-box}
</style></head>
<body><main><nav><a href="?lang=${other}" lang="${other}">${TEXTS[other].languageName}</a></nav><h1>${t.heading}</h1>${body}</main></body>
</html>`;
}

export function defaultCommentPrompt(locale: Locale): string {
  return TEXTS[locale].defaultPrompt;
}
