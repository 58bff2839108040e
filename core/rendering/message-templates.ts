/**
 * Every email the config can send, as (message, template): each campaign, each sequence step,
 * and each webinar email (confirmation, reminders, reschedule and cancellation notices,
 * follow-ups for attendees, no-shows and each attendee variant), with the locales it is written
 * in, where the reference sits in its config file, and what webinar data exists when it is sent
 * (none, an invitation to a webinar, an upcoming webinar, or an ended one with a recording).
 */
import type { EngineConfig } from '../config/engine-config.ts';
import type { Locale } from '../config/schema/common.ts';
import type { MessageLocales } from './choose-locale.ts';

/**
 * What webinar data a message has when it is sent: none; an invitation (a campaign or step that
 * `invites`: title, time, venue and the recipient's registration link, nothing to join yet); an
 * upcoming session the recipient registered for (join link or venue, calendar file); or an
 * ended one (with the recording, survey and watch time).
 */
export type WebinarStage = 'none' | 'invitation' | 'upcoming' | 'ended';

export interface MessageTemplate extends MessageLocales {
  /**
   * `campaign-id`, `sequence-id:step-id`, or
   * `policy-id:confirmation|reminder-24h|rescheduled|cancellation|attendees|no-shows|variant-<id>`.
   */
  messageId: string;
  /** The config document, as a key of `EngineConfig.fileOf` (e.g. `campaign/monthly-newsletter`). */
  documentKey: string;
  /** The config file that refers to the template, e.g. campaigns/monthly-newsletter.yaml. */
  file: string;
  /** Field path of the reference in that file, e.g. steps[1].template. */
  path: string;
  templateId: string;
  locales: Locale[];
  fallbackLocale: Locale;
  webinar: WebinarStage;
  /** The sender identity the message goes out as (its name and postal address are in the footer). */
  senderId: string;
  /** The survey the message asks (`survey: <id>`): its template then has `survey.*`. */
  surveyId?: string;
}

export function listMessageTemplates(config: EngineConfig): MessageTemplate[] {
  const uses: MessageTemplate[] = [];
  const fileOf = (documentKey: string) => config.fileOf.get(documentKey) ?? documentKey;
  for (const campaign of config.campaigns) {
    const documentKey = `campaign/${campaign.id}`;
    uses.push({
      messageId: campaign.id,
      documentKey,
      file: fileOf(documentKey),
      path: 'template',
      templateId: campaign.template,
      locales: campaign.locales,
      fallbackLocale: campaign.fallbackLocale,
      webinar: campaign.invites === undefined ? 'none' : 'invitation',
      senderId: campaign.sender,
      ...(campaign.survey === undefined ? {} : { surveyId: campaign.survey }),
    });
  }
  for (const sequence of config.sequences) {
    const documentKey = `sequence/${sequence.id}`;
    sequence.steps.forEach((step, index) => {
      uses.push({
        messageId: `${sequence.id}:${step.id}`,
        documentKey,
        file: fileOf(documentKey),
        path: `steps[${index}].template`,
        templateId: step.template,
        locales: sequence.locales,
        fallbackLocale: sequence.fallbackLocale,
        webinar: step.invites === undefined ? 'none' : 'invitation',
        senderId: sequence.sender,
        ...(step.survey === undefined ? {} : { surveyId: step.survey }),
      });
    });
  }
  for (const policy of config.webinarPolicies) {
    const documentKey = `webinar-policy/${policy.id}`;
    const use = (name: string, path: string, templateId: string, webinar: WebinarStage): MessageTemplate => ({
      messageId: `${policy.id}:${name}`,
      documentKey,
      file: fileOf(documentKey),
      path,
      templateId,
      locales: policy.locales,
      fallbackLocale: policy.fallbackLocale,
      webinar,
      senderId: policy.sender,
    });
    uses.push(use('confirmation', 'confirmation.template', policy.confirmation.template, 'upcoming'));
    policy.reminders.forEach((reminder, index) => {
      uses.push(use(`reminder-${reminder.before}`, `reminders[${index}].template`, reminder.template, 'upcoming'));
    });
    // A reschedule notice carries the new time, join link and calendar file; a cancellation the session it cancels.
    if (policy.rescheduled) uses.push(use('rescheduled', 'rescheduled.template', policy.rescheduled.template, 'upcoming'));
    uses.push(use('cancellation', 'cancellation.template', policy.cancellation.template, 'upcoming'));
    uses.push(use('attendees', 'followUps.attendees.template', policy.followUps.attendees.template, 'ended'));
    uses.push(use('no-shows', 'followUps.noShows.template', policy.followUps.noShows.template, 'ended'));
    policy.followUps.variants.forEach((variant, index) => {
      uses.push(use(`variant-${variant.id}`, `followUps.variants[${index}].template`, variant.template, 'ended'));
    });
  }
  return uses;
}
