/** What a send request means in config terms: template, sender identity, topic and locales. */
import type { EngineConfig } from '../config/engine-config.ts';
import type { Locale } from '../config/schema/common.ts';
import type { WebinarPolicy } from '../config/schema/messages.ts';
import type { SenderIdentity } from '../config/schema/settings.ts';
import type { MessageSource } from './send-request.ts';

export interface MessageDefinition {
  templateId: string;
  sender: SenderIdentity;
  topic: string;
  locales: Locale[];
  fallbackLocale: Locale;
}

export class UnknownMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownMessageError';
  }
}

/**
 * The definition of a source's email. A webinar follow-up's template depends on how the registrant
 * attended (webinar-message.ts chooses it and passes it as `webinarTemplate`); without it, the
 * attendees' template.
 */
export function messageDefinition(config: EngineConfig, source: MessageSource, webinarTemplate?: string): MessageDefinition {
  let base: { sender: string; topic: string; locales: Locale[]; fallbackLocale: Locale };
  let templateId: string;
  if (source.kind === 'campaign') {
    const campaign = config.campaigns.find((candidate) => candidate.id === source.campaignId);
    if (!campaign) throw new UnknownMessageError(`no campaign '${source.campaignId}' in the config`);
    base = campaign;
    templateId = campaign.template;
  } else if (source.kind === 'sequence') {
    const sequence = config.sequences.find((candidate) => candidate.id === source.sequenceId);
    if (!sequence) throw new UnknownMessageError(`no sequence '${source.sequenceId}' in the config`);
    const step = sequence.steps.find((candidate) => candidate.id === source.stepId);
    if (!step) throw new UnknownMessageError(`sequence '${sequence.id}' has no step '${source.stepId}'`);
    base = sequence;
    templateId = step.template;
  } else {
    const webinar = config.webinars.find((candidate) => candidate.id === source.webinarId);
    if (!webinar) throw new UnknownMessageError(`no webinar '${source.webinarId}' in the config`);
    const policy = config.webinarPolicies.find((candidate) => candidate.id === webinar.policy);
    if (!policy) throw new UnknownMessageError(`webinar '${webinar.id}' names policy '${webinar.policy}', which is not in the config`);
    base = policy;
    templateId = webinarTemplate ?? policyTemplate(policy, source.message, source.reminder);
  }
  const sender = config.senders.identities.find((identity) => identity.id === base.sender);
  if (!sender) throw new UnknownMessageError(`unknown sender '${base.sender}'`);
  return { templateId, sender, topic: base.topic, locales: base.locales, fallbackLocale: base.fallbackLocale };
}

/** The policy's template for a webinar message (follow-ups: the attendees' one). */
export function policyTemplate(policy: WebinarPolicy, message: Extract<MessageSource, { kind: 'webinar' }>['message'], reminder?: string): string {
  switch (message) {
    case 'confirmation':
      return policy.confirmation.template;
    case 'reminder': {
      const found = policy.reminders.find((candidate) => candidate.before === reminder);
      if (!found) throw new UnknownMessageError(`webinar policy '${policy.id}' has no reminder ${reminder ?? '(none named)'}`);
      return found.template;
    }
    case 'rescheduled':
      // Without a template of its own, the new time goes out as a fresh confirmation.
      return policy.rescheduled?.template ?? policy.confirmation.template;
    case 'cancellation':
      return policy.cancellation.template;
    case 'follow-up':
      return policy.followUps.attendees.template;
  }
}
