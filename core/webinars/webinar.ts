/** A webinar and the people registered for it, with attendance and watch time from the platform. */
import { z } from 'zod';

export const webinarSchema = z.strictObject({
  webinarId: z.string().min(1),
  title: z.string().min(1),
  locale: z.enum(['ja', 'en']),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  joinUrl: z.url(),
  recordingUrl: z.url().optional(),
  platform: z.enum(['zoom', 'csv', 'manual']).default('manual'),
});

export const registrantSchema = z.strictObject({
  webinarId: z.string().min(1),
  contactId: z.string().min(1),
  accountId: z.string().min(1),
  registeredAt: z.iso.datetime(),
  attended: z.boolean().default(false),
  watchMinutes: z.number().min(0).default(0),
});

export type Webinar = z.infer<typeof webinarSchema>;
export type Registrant = z.infer<typeof registrantSchema>;
