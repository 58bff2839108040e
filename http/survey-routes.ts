/**
 * The survey answer links inside emails, `/s/<token>` (one signed token per contact, survey, email
 * and score). Link scanners fetch every link in an email, so `GET` records nothing: it shows the
 * answer with a Save button (and the comment box). `POST` with form=answer saves the link's score
 * (and a comment, if written); form=comment adds or changes the comment on the answer already
 * given. A token that is not genuine, or of an unknown survey or contact, gets the plain "not
 * valid" page (404) and writes nothing.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Locale } from '../core/config/schema/common.ts';
import type { SurveyConfig } from '../core/config/schema/surveys.ts';
import type { SurveyStore } from '../core/ports.ts';
import { verifyAnswerToken } from '../core/surveys/answer-token.ts';
import { answerSurvey, isSurveyClosed, resolveAnswerLink, type AnswerSurveyDeps, type ResolvedAnswerLink } from '../core/surveys/answer-survey.ts';
import { MAX_COMMENT_LENGTH, type SurveyAnswer } from '../core/surveys/survey-answer.ts';
import { defaultCommentPrompt, surveyPage, type SurveyPageState } from './survey-pages.ts';
import { NO_STORE, notValidLink } from './tracking-deps.ts';

export type SurveyLinkDeps = AnswerSurveyDeps & {
  answers: AnswerSurveyDeps['answers'] & Pick<SurveyStore, 'getAnswer'>;
  tokenSecret: string;
  /** Structured log lines (ids only, never addresses or comments). */
  log?: (entry: Record<string, unknown>) => void;
};

export function surveyRoutes(deps: SurveyLinkDeps): Hono {
  const app = new Hono();
  app.use('*', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('request body too large', 413) }));

  const resolve = async (token: string): Promise<ResolvedAnswerLink | undefined> => {
    const claims = verifyAnswerToken(token, deps.tokenSecret);
    return claims ? resolveAnswerLink(claims, deps) : undefined;
  };

  app.get('/:token', async (c) => {
    const link = await resolve(c.req.param('token'));
    if (!link) return notValidLink(c);
    if (isSurveyClosed(link.survey, deps.clock.now())) return page(c, link, 'closed');
    // A read only: what is stored decides between "save this" and "saved" (nothing is written).
    const stored = await deps.answers.getAnswer(link.survey.id, link.contact.contactId);
    return stored?.score === link.claims.score ? page(c, link, 'saved', stored) : page(c, link, 'confirm', stored);
  });

  app.post('/:token', async (c) => {
    const link = await resolve(c.req.param('token'));
    if (!link) return notValidLink(c);
    let body: Record<string, unknown>;
    try {
      body = await c.req.parseBody();
    } catch {
      return c.text('expected the survey form (form=answer or form=comment)', 400);
    }
    if (body.form !== 'answer' && body.form !== 'comment') return c.text('expected the survey form (form=answer or form=comment)', 400);
    if (body.comment !== undefined && typeof body.comment !== 'string') return c.text('comment: expected text', 400);
    const comment = link.survey.comment.enabled && typeof body.comment === 'string' ? body.comment.slice(0, MAX_COMMENT_LENGTH) : undefined;
    const result = await answerSurvey(link, { ...(comment !== undefined ? { comment } : {}), commentOnly: body.form === 'comment' }, deps);
    if (result.outcome === 'closed') return page(c, link, 'closed');
    deps.log?.({ level: 'INFO', message: 'survey answer', survey: link.survey.id, contactId: link.contact.contactId, outcome: result.outcome, churnRiskRaised: result.churnRiskRaised });
    return page(c, link, body.form === 'comment' ? 'commented' : 'saved', result.answer);
  });
  return app;
}

function localeOf(c: Context, link: ResolvedAnswerLink): Locale {
  const asked = c.req.query('lang');
  return asked === 'ja' || asked === 'en' ? asked : link.contact.locale;
}

function page(c: Context, link: ResolvedAnswerLink, state: SurveyPageState, stored?: SurveyAnswer) {
  const locale = localeOf(c, link);
  const survey: SurveyConfig = link.survey;
  // After saving, the page shows the stored answer (the comment form may keep an earlier score).
  const score = state === 'saved' || state === 'commented' ? (stored?.score ?? link.claims.score) : link.claims.score;
  c.header('Cache-Control', NO_STORE['Cache-Control']);
  c.header('X-Robots-Tag', 'noindex');
  return c.html(
    surveyPage(
      {
        locale,
        question: survey.question[locale],
        score,
        ...(state === 'confirm' && stored && stored.score !== link.claims.score ? { previousScore: stored.score } : {}),
        commentEnabled: survey.comment.enabled,
        commentPrompt: survey.comment.prompt?.[locale] ?? defaultCommentPrompt(locale),
        ...(stored?.comment ? { comment: stored.comment } : {}),
        action: `?lang=${locale}`,
      },
      state,
    ),
  );
}
