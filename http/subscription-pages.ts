/**
 * The pages behind the unsubscribe and preference links, in Japanese and English: confirm an
 * unsubscribe, the topic preference centre, and the neutral page for a link that is not valid.
 * Every value is escaped by Hono's `html` helper. Forms post to relative URLs (the same token
 * URL, or the preference token beside it), so the pages work under any path prefix.
 */
import { html } from 'hono/html';
import type { Locale } from '../core/config/schema/common.ts';
import type { Topics } from '../core/config/schema/settings.ts';

type Markup = ReturnType<typeof html>;

interface PageTexts {
  languageName: string;
  unsubscribeTitle: string;
  preferencesTitle: string;
  confirm: (email: string) => Markup;
  unsubscribeButton: string;
  unsubscribed: (email: string) => Markup;
  alreadyUnsubscribed: (email: string) => Markup;
  chooseTopics: string;
  orChooseTopics: string;
  saveButton: string;
  saved: string;
  unsubscribeInstead: string;
}

const TEXTS: Record<Locale, PageTexts> = {
  ja: {
    languageName: '日本語',
    unsubscribeTitle: '配信停止',
    preferencesTitle: '配信設定',
    confirm: (email) => html`<strong>${email}</strong> へのメール配信をすべて停止しますか？`,
    unsubscribeButton: 'すべてのメール配信を停止する',
    unsubscribed: (email) => html`配信を停止しました。今後 <strong>${email}</strong> にメールをお送りすることはありません。`,
    alreadyUnsubscribed: (email) => html`<strong>${email}</strong> へのメール配信は停止済みです。`,
    chooseTopics: '受け取りたいメールを選んでください。',
    orChooseTopics: 'または、受け取りたいトピックだけを選ぶこともできます。',
    saveButton: '設定を保存する',
    saved: '配信設定を保存しました。',
    unsubscribeInstead: 'すべての配信を停止する',
  },
  en: {
    languageName: 'English',
    unsubscribeTitle: 'Unsubscribe',
    preferencesTitle: 'Email preferences',
    confirm: (email) => html`Unsubscribe <strong>${email}</strong> from all our emails?`,
    unsubscribeButton: 'Unsubscribe from all emails',
    unsubscribed: (email) => html`You are unsubscribed. We will not email <strong>${email}</strong> again.`,
    alreadyUnsubscribed: (email) => html`<strong>${email}</strong> is unsubscribed from all our emails.`,
    chooseTopics: 'Choose the emails you want to receive.',
    orChooseTopics: 'Or keep only the topics you want.',
    saveButton: 'Save preferences',
    saved: 'Your preferences are saved.',
    unsubscribeInstead: 'Unsubscribe from everything',
  },
};

export interface SubscriberView {
  locale: Locale;
  /** Shown masked (s***@example.com): enough to recognise, not to harvest. */
  email: string;
  suppressed: boolean;
  topics: Topics;
  topicsOptedOut: readonly string[];
  /** Relative form actions: the unsubscribe and the preference token URLs as seen from this page. */
  unsubscribeAction: string;
  preferencesAction: string;
}

export type UnsubscribeState = 'confirm' | 'done';

/** GET /u/<token> (confirm, with the topic choice below) and the answer to its POST (done). */
export function unsubscribePage(view: SubscriberView, state: UnsubscribeState) {
  const t = TEXTS[view.locale];
  const email = maskEmail(view.email);
  const body =
    state === 'done'
      ? html`<p role="status">${t.unsubscribed(email)}</p>`
      : view.suppressed
        ? html`<p>${t.alreadyUnsubscribed(email)}</p>`
        : html`<p>${t.confirm(email)}</p>
            ${unsubscribeForm(view, t)}
            <h2>${t.preferencesTitle}</h2>
            <p>${t.orChooseTopics}</p>
            ${topicForm(view, t)}`;
  return layout(view.locale, t.unsubscribeTitle, body);
}

/** GET and POST /p/<token>: the topic preference centre. */
export function preferencesPage(view: SubscriberView, saved: boolean) {
  const t = TEXTS[view.locale];
  const email = maskEmail(view.email);
  const body = view.suppressed
    ? html`<p>${t.alreadyUnsubscribed(email)}</p>`
    : html`${saved ? html`<p role="status">${t.saved}</p>` : ''}
        <p>${t.chooseTopics}</p>
        ${topicForm(view, t)}
        <h2>${t.unsubscribeTitle}</h2>
        ${unsubscribeForm(view, t, t.unsubscribeInstead)}`;
  return layout(view.locale, t.preferencesTitle, body);
}

/** For every unknown, altered or outdated link: says nothing about why, in both languages. */
export function invalidLinkPage() {
  return html`<!doctype html>
<html lang="ja">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>リンクが無効です / Link not valid</title>${style}</head>
<body><main>
<p lang="ja">このリンクは無効です。メールからもう一度開いてください。</p>
<p lang="en">This link is not valid. Open it from the email again.</p>
</main></body>
</html>`;
}

function unsubscribeForm(view: SubscriberView, t: PageTexts, label: string = t.unsubscribeButton) {
  // The same body a mail client sends for RFC 8058 one-click unsubscribe.
  return html`<form method="post" action="${withLang(view.unsubscribeAction, view.locale)}">
      <input type="hidden" name="List-Unsubscribe" value="One-Click">
      <button type="submit">${label}</button>
    </form>`;
}

function topicForm(view: SubscriberView, t: PageTexts) {
  const optedOut = new Set(view.topicsOptedOut);
  const items = view.topics.topics.map((topic) => {
    const label = topic.label[view.locale] ?? topic.label.en ?? topic.id;
    const description = topic.description?.[view.locale];
    return html`<li><label><input type="checkbox" name="topic" value="${topic.id}"${optedOut.has(topic.id) ? '' : html` checked`}> ${label}</label>${
      description ? html`<br><small>${description}</small>` : ''
    }</li>`;
  });
  return html`<form method="post" action="${withLang(view.preferencesAction, view.locale)}">
      <input type="hidden" name="form" value="preferences">
      <ul class="topics">${items}</ul>
      <button type="submit">${t.saveButton}</button>
    </form>`;
}

function layout(locale: Locale, title: string, body: Markup) {
  const other: Locale = locale === 'ja' ? 'en' : 'ja';
  return html`<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title>${style}</head>
<body><main>
<nav><a href="?lang=${other}" lang="${other}">${TEXTS[other].languageName}</a></nav>
<h1>${title}</h1>
${body}
</main></body>
</html>`;
}

function withLang(action: string, locale: Locale): string {
  return `${action}?lang=${locale}`;
}

const style = html`<style>
body{font-family:-apple-system,"Hiragino Sans","Noto Sans JP",Meiryo,Helvetica,Arial,sans-serif;background:#f4f5f7;color:#1f2933;margin:0}
main{max-width:560px;margin:40px auto;background:#fff;padding:24px 32px;border-radius:8px}
nav{text-align:right;font-size:14px}
ul.topics{list-style:none;padding:0}ul.topics li{margin:8px 0}
button{background:#2456d1;color:#fff;border:0;border-radius:4px;padding:10px 20px;font-size:15px;cursor:pointer}
</style>`;

/** s***@example.com: the first character of the local part, then the domain. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}
