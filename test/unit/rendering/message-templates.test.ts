/**
 * Which emails the config can send and what webinar data each has when it goes out: validate
 * and previews render each template with exactly that data, so a wrong stage would let a
 * template read a link its recipients never get (or reject one they do).
 */
import { describe, expect, it } from 'vitest';
import { listMessageTemplates, type MessageTemplate } from '../../../core/rendering/message-templates.ts';
import { ExampleConfigSources } from '../config/example-config-sources.ts';
import { configFrom } from './rendering-fixtures.ts';

const summary = ({ messageId, file, path, templateId, webinar }: MessageTemplate) => ({ messageId, file, path, templateId, webinar });

describe('listMessageTemplates', () => {
  it('lists every webinar policy email: confirmation, reminders, reschedule, cancellation, follow-ups and each variant', () => {
    const policy = listMessageTemplates(configFrom()).filter((message) => message.file === 'campaigns/webinar-policy.yaml');
    expect(policy.map(summary)).toEqual(
      [
        ['webinars:confirmation', 'confirmation.template', 'webinar-confirmation', 'upcoming'],
        ['webinars:reminder-24h', 'reminders[0].template', 'webinar-reminder', 'upcoming'],
        ['webinars:reminder-1h', 'reminders[1].template', 'webinar-reminder', 'upcoming'],
        ['webinars:rescheduled', 'rescheduled.template', 'webinar-rescheduled', 'upcoming'],
        ['webinars:cancellation', 'cancellation.template', 'webinar-cancelled', 'upcoming'],
        ['webinars:attendees', 'followUps.attendees.template', 'webinar-thanks', 'ended'],
        ['webinars:no-shows', 'followUps.noShows.template', 'webinar-recording', 'ended'],
        ['webinars:variant-left-early', 'followUps.variants[0].template', 'webinar-left-early', 'ended'],
      ].map(([messageId, path, templateId, webinar]) => ({ messageId, file: 'campaigns/webinar-policy.yaml', path, templateId, webinar })),
    );
  });

  it('leaves out the reschedule notice of a policy that has none', () => {
    const sources = ExampleConfigSources.read().edit('campaigns/webinar-policy.yaml', 'rescheduled: { template: webinar-rescheduled }\n', '');
    const ids = listMessageTemplates(configFrom(sources)).map((message) => message.messageId);
    expect(ids).toContain('webinars:cancellation');
    expect(ids).not.toContain('webinars:rescheduled');
  });

  it('gives a campaign or a sequence step that invites to a webinar the invitation data, and the others none', () => {
    const sources = ExampleConfigSources.read().edit('campaigns/adoption-nurture.yaml', '    template: adoption-webinar-invite\n', '    template: adoption-webinar-invite\n    invites: dashboards-101\n');
    const stageOf = new Map(listMessageTemplates(configFrom(sources)).map((message) => [message.messageId, message.webinar]));
    expect(stageOf.get('dashboards-101-invitation')).toBe('invitation');
    expect(stageOf.get('adoption-nurture:webinar-invite')).toBe('invitation');
    expect(stageOf.get('adoption-nurture:welcome')).toBe('none');
    expect(stageOf.get('monthly-newsletter')).toBe('none');
  });
});
