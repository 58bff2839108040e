/** What a send request means in config terms: template, sender identity, topic and locales. */
import type { EngineConfig } from '../config/engine-config.ts';
import type { Locale } from '../config/schema/common.ts';
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

export function messageDefinition(config: EngineConfig, source: MessageSource): MessageDefinition {
  const base =
    source.kind === 'campaign'
      ? config.campaigns.find((campaign) => campaign.id === source.campaignId)
      : config.sequences.find((sequence) => sequence.id === source.sequenceId);
  if (!base) throw new UnknownMessageError(`no ${source.kind} '${source.kind === 'campaign' ? source.campaignId : source.sequenceId}' in the config`);
  let templateId: string;
  if (source.kind === 'campaign' && 'template' in base) {
    templateId = base.template;
  } else {
    const step = 'steps' in base ? base.steps.find((candidate) => candidate.id === (source as { stepId: string }).stepId) : undefined;
    if (!step) throw new UnknownMessageError(`sequence '${base.id}' has no step '${(source as { stepId: string }).stepId}'`);
    templateId = step.template;
  }
  const sender = config.senders.identities.find((identity) => identity.id === base.sender);
  if (!sender) throw new UnknownMessageError(`unknown sender '${base.sender}'`);
  return { templateId, sender, topic: base.topic, locales: base.locales, fallbackLocale: base.fallbackLocale };
}
