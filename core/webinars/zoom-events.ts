/**
 * What a Zoom webhook body means for the engine: one `ZoomSignal` per body (the URL-validation
 * challenge, a registration, a join, a leave, a start, an end, a reschedule, a cancellation, or an
 * event we deliberately ignore). Pure: the signature is checked before (zoom-webhook-signature.ts)
 * and the signal is acted on after. Shapes follow Zoom's published webhook schema (as generated
 * into zoom/rivet-javascript) and captured payloads; test/fixtures/zoom/ holds one per event.
 *
 * Zoom is loose about types (a webinar id arrives as a number in some events and a string in
 * others) and about presence (guests have no email; an update carries only what changed), so the
 * parse is lenient on those and strict on what would make a signal wrong. A `ZoomPayloadError`
 * names the event and the JSON path, never a value: bodies carry emails and names.
 */
import { z } from 'zod';
import { formatPath } from '../config/problems.ts';

/** One thing a Zoom webhook tells the engine. */
export type ZoomSignal =
  | { kind: 'url-validation'; plainToken: string }
  | {
      kind: 'registered';
      platformId: string;
      /** Set when the registration is for exactly one occurrence of a recurring webinar. */
      occurrenceId?: string;
      /** Lower-cased and trimmed. */
      email: string;
      name?: string;
      registrantId?: string;
      /** Zoom sends no registration time; this is the event's `event_ts`. */
      registeredAt?: Date;
      /** Standard questions (readable labels) then custom questions, only those answered. */
      answers: Array<{ question: string; answer: string }>;
    }
  | { kind: 'joined'; platformId: string; email?: string; name?: string; participantKey: string; joinedAt: Date }
  | { kind: 'left'; platformId: string; email?: string; name?: string; participantKey: string; joinedAt?: Date; leftAt: Date }
  | { kind: 'started'; platformId: string; startedAt: Date }
  | { kind: 'ended'; platformId: string; startedAt?: Date; endedAt: Date }
  | { kind: 'rescheduled'; platformId: string; occurrenceId?: string; startsAt: Date; durationMinutes?: number; changedAt: Date }
  | { kind: 'cancelled'; platformId: string; occurrenceIds?: string[] }
  /** A well-formed event the engine does not act on (an update of the topic only, an event we do not handle). */
  | { kind: 'ignored'; event: string; reason: string };

/** A body that is not what Zoom sends for its event; the message names the event and the JSON path, never a value. */
export class ZoomPayloadError extends Error {
  constructor(
    readonly event: string,
    readonly problems: readonly string[],
  ) {
    super(`Zoom webhook ${event}: ${problems.join('; ')}`);
    this.name = 'ZoomPayloadError';
  }
}

const NO_EVENT = '(event unknown)';
/** Zoom's event names: "webinar.participant_joined", "endpoint.url_validation", "app_deauthorized". */
const EVENT_NAME = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/u;

/** How a value looks, without showing it: it may be someone's email. */
function shapeOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.trim() === '' ? 'an empty string' : `a string of ${value.length} character${value.length === 1 ? '' : 's'}`;
  return `a ${typeof value}`;
}

function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/** Zoom ids are digits, sent as a number or a string depending on the event; the app shows them as "812 3456 7890". */
const webinarIdField = z.unknown().optional().transform((value, ctx): string => {
  const digits = typeof value === 'number' ? (Number.isSafeInteger(value) && value > 0 ? String(value) : '') : typeof value === 'string' ? value.replace(/[\s-]/gu, '') : '';
  if (/^\d+$/u.test(digits)) return digits;
  return fail(ctx, `expected the webinar id as digits (a number or a string of digits), got ${shapeOf(value)}`);
});

/** Text Zoom may leave out, send empty or send as a number (ids); absent, null and blank all mean "not given". */
const optionalText = z.unknown().optional().transform((value, ctx): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return fail(ctx, `expected text, got ${shapeOf(value)}`);
  const text = value.trim();
  return text === '' ? undefined : text;
});

const requiredText = (what: string) =>
  optionalText.transform((text, ctx): string => text ?? fail(ctx, `expected ${what}, got nothing or an empty string`));

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/u;

/** The Date, or undefined when the text is not a real ISO-8601 time with a zone (V8 would turn 02-30 into 03-02). */
function isoTimeOf(text: string): Date | undefined {
  const match = ISO_TIME.exec(text);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const at = new Date(text);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && !Number.isNaN(at.getTime()) ? at : undefined;
}

/** Zoom's times are ISO-8601 UTC ("2026-12-10T05:00:00Z"); a time without a zone would be guessed, so it is refused. */
const optionalTime = z.unknown().optional().transform((value, ctx): Date | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  const at = typeof value === 'string' ? isoTimeOf(value) : undefined;
  return at ?? fail(ctx, `expected an ISO-8601 time with a zone like 2026-12-10T05:00:00Z, got ${shapeOf(value)}`);
});

/** `event_ts` and `time_stamp` are epoch milliseconds; a seconds value would land in 1970, so it is refused. */
const optionalEpochMs = z.unknown().optional().transform((value, ctx): Date | undefined => {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/u.test(value) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(ms) && ms >= 1e12) return new Date(ms);
  return fail(ctx, `expected epoch milliseconds (13 digits), got ${shapeOf(value)}`);
});

const optionalMinutes = z.unknown().optional().transform((value, ctx): number | undefined => {
  if (value === undefined || value === null) return undefined;
  const minutes = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/u.test(value) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(minutes) && minutes >= 0) return minutes;
  return fail(ctx, `expected a duration in whole minutes, got ${shapeOf(value)}`);
});

const emailSchema = z.email();

/** Lower-cased and trimmed, or undefined when it is not an address (guests send "" or nothing). */
function emailOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const email = text.toLowerCase();
  return emailSchema.safeParse(email).success ? email : undefined;
}

const requiredEmail = optionalText.transform(
  (text, ctx): string =>
    emailOf(text) ?? fail(ctx, 'expected the registrant\'s email address, got none or one that is not an address (a registration without one cannot become a contact)'),
);

const objectOf = <Shape extends z.ZodRawShape>(shape: Shape, what: string) => z.object(shape, { error: (issue) => `expected ${what} (an object), got ${shapeOf(issue.input)}` });

const listOf = <Item extends z.ZodType>(item: Item, what: string) =>
  z
    .array(item, { error: (issue) => `expected ${what} (an array), got ${shapeOf(issue.input)}` })
    .nullish()
    .transform((items) => items ?? []);

const occurrencesField = listOf(
  objectOf({ occurrence_id: requiredText('the occurrence id'), start_time: optionalTime, duration: optionalMinutes, status: optionalText }, 'an occurrence'),
  'the occurrences',
);

/** Parses `value` found at `at`, or throws with every problem's full path. */
function parseAt<Schema extends z.ZodType>(schema: Schema, value: unknown, event: string, at: readonly PropertyKey[]): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ZoomPayloadError(
    event,
    result.error.issues.map((issue) => `${formatPath([...at, ...issue.path]) || 'body'}: ${issue.message}`),
  );
}

const envelopeSchema = z.object({
  // Checked for shape because it is echoed in errors and ignored signals: it must not carry anything else.
  event: z
    .string({ error: (issue) => `expected the event name as a string like "webinar.participant_joined", got ${shapeOf(issue.input)}` })
    .trim()
    .regex(EVENT_NAME, { error: (issue) => `expected an event name like "webinar.participant_joined", got ${shapeOf(issue.input)}` }),
  event_ts: optionalEpochMs,
  // Required by every handled event (each payload schema says so); an unhandled event is ignored whatever it carries.
  payload: z.unknown().optional(),
});

/**
 * The registration form's standard questions, in the order Zoom shows them, with the label a
 * person reads in a CRM note. Name and email are not answers: they are the contact.
 */
const STANDARD_QUESTIONS = [
  ['address', 'Address'],
  ['city', 'City'],
  ['country', 'Country/Region'],
  ['zip', 'Zip/Postal code'],
  ['state', 'State/Province'],
  ['phone', 'Phone'],
  ['industry', 'Industry'],
  ['org', 'Organization'],
  ['job_title', 'Job title'],
  ['purchasing_time_frame', 'Purchasing time frame'],
  ['role_in_purchase_process', 'Role in purchase process'],
  ['no_of_employees', 'Number of employees'],
  ['comments', 'Questions & comments'],
] as const;

type StandardQuestionField = (typeof STANDARD_QUESTIONS)[number][0];

const standardQuestionFields = Object.fromEntries(STANDARD_QUESTIONS.map(([field]) => [field, optionalText])) as Record<StandardQuestionField, typeof optionalText>;

const registrantSchema = objectOf(
  {
    id: optionalText,
    email: requiredEmail,
    first_name: optionalText,
    last_name: optionalText,
    ...standardQuestionFields,
    custom_questions: listOf(objectOf({ title: requiredText('the question'), value: optionalText }, 'a custom question'), 'the custom questions'),
  },
  'the registrant',
);

const registrationPayload = objectOf(
  { object: objectOf({ id: webinarIdField, occurrences: occurrencesField, registrant: registrantSchema }, 'the webinar') },
  'the registration',
);

const participantSchema = objectOf(
  {
    participant_uuid: optionalText,
    user_id: optionalText,
    id: optionalText,
    user_name: optionalText,
    email: optionalText,
    join_time: optionalTime,
    leave_time: optionalTime,
  },
  'the participant',
);

const participantPayload = objectOf(
  { object: objectOf({ id: webinarIdField, uuid: optionalText, participant: participantSchema }, 'the webinar') },
  'the participant event',
);

const sessionPayload = objectOf(
  { object: objectOf({ id: webinarIdField, start_time: optionalTime, end_time: optionalTime }, 'the webinar') },
  'the webinar event',
);

const scheduleFields = { start_time: optionalTime, duration: optionalMinutes, occurrences: occurrencesField };

const updatePayload = objectOf(
  {
    time_stamp: optionalEpochMs,
    object: objectOf({ id: webinarIdField, ...scheduleFields }, 'the updated webinar'),
    old_object: objectOf(scheduleFields, 'the webinar before the update')
      .nullish()
      .transform((old) => old ?? { start_time: undefined, duration: undefined, occurrences: [] }),
  },
  'the update',
);

const deletePayload = objectOf(
  { operation: optionalText, object: objectOf({ id: webinarIdField, occurrences: occurrencesField }, 'the deleted webinar') },
  'the deletion',
);

const validationPayload = objectOf({ plainToken: requiredText('the plain token to answer the challenge with') }, 'the challenge');

type Participant = z.output<typeof participantSchema>;

/**
 * Which stay a join or leave belongs to, the same for the joined and the left event of one stay.
 * `participant_uuid` is per stay (a rejoin gets a new one) and a real UUID. `user_id` is also per
 * stay but a small number ("16778240") that recurs in every instance of a webinar, so it is scoped
 * by the instance `uuid` both events carry. `id` is the Zoom account (empty for guests) and would
 * merge two stays; only with `join_time` does it tell them apart, and Zoom's left events carry no
 * `join_time`, so that last resort only pairs events that do.
 */
function participantKeyOf(participant: Participant, instanceUuid: string | undefined, event: string): string {
  if (participant.participant_uuid !== undefined) return participant.participant_uuid;
  if (participant.user_id !== undefined) return instanceUuid === undefined ? participant.user_id : `${instanceUuid}/${participant.user_id}`;
  if (participant.id !== undefined && participant.join_time !== undefined) return `${participant.id}@${participant.join_time.toISOString()}`;
  throw new ZoomPayloadError(event, [
    'payload.object.participant: expected participant_uuid or user_id (or id with join_time) to tell this stay apart from others, got none of them',
  ]);
}

function answersOf(registrant: z.output<typeof registrantSchema>): Array<{ question: string; answer: string }> {
  const answers: Array<{ question: string; answer: string }> = [];
  for (const [field, question] of STANDARD_QUESTIONS) {
    const answer = registrant[field];
    if (answer !== undefined) answers.push({ question, answer });
  }
  for (const { title, value } of registrant.custom_questions) {
    if (value !== undefined) answers.push({ question: title, answer: value });
  }
  return answers;
}

function nameOf(...parts: Array<string | undefined>): string | undefined {
  const name = parts.filter((part) => part !== undefined).join(' ');
  return name === '' ? undefined : name;
}

const sameInstant = (a: Date | undefined, b: Date | undefined) => a?.getTime() === b?.getTime();

/**
 * A reschedule is a new start time. Zoom's `object` carries the changed fields and `old_object`
 * their previous values; a field counts as changed when its new value differs from the old one
 * (an old value Zoom left out counts as different). An occurrence-level change lists the
 * occurrence in `occurrences` with its new start.
 */
function rescheduleOf(payload: z.output<typeof updatePayload>, platformId: string, changedAt: Date, event: string): ZoomSignal {
  const { object, old_object: old } = payload;
  const changedOccurrences = object.occurrences.filter((occurrence) => {
    if (occurrence.status === 'deleted') return false;
    const before = old.occurrences.find((candidate) => candidate.occurrence_id === occurrence.occurrence_id);
    return before === undefined || !sameInstant(before.start_time, occurrence.start_time) || before.duration !== occurrence.duration;
  });
  const seriesMoved = object.start_time !== undefined && !sameInstant(object.start_time, old.start_time);
  const [only] = changedOccurrences;
  if (changedOccurrences.length === 1 && only !== undefined) {
    const startsAt = only.start_time ?? object.start_time;
    if (startsAt !== undefined) {
      return { kind: 'rescheduled', platformId, occurrenceId: only.occurrence_id, startsAt, durationMinutes: only.duration ?? object.duration, changedAt };
    }
  }
  if (seriesMoved && object.start_time !== undefined) {
    return { kind: 'rescheduled', platformId, startsAt: object.start_time, durationMinutes: object.duration, changedAt };
  }
  if (changedOccurrences.length > 1) {
    return { kind: 'ignored', event, reason: `${changedOccurrences.length} occurrences changed at once: re-read the webinar's occurrences from the Zoom API` };
  }
  if (object.duration !== undefined && object.duration !== old.duration) {
    return { kind: 'ignored', event, reason: 'only the duration changed and the update carries no start_time to reschedule to' };
  }
  return { kind: 'ignored', event, reason: 'the update does not move the start time (e.g. topic, agenda or settings only)' };
}

/**
 * The signal a Zoom webhook body carries. `receivedAt` stands in for a time Zoom left out of a
 * body that also lacks `event_ts`. Throws `ZoomPayloadError` when the body is not what Zoom sends.
 */
export function zoomSignalOf(body: unknown, receivedAt: Date): ZoomSignal {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ZoomPayloadError(NO_EVENT, [`body: expected the parsed webhook JSON (an object), got ${shapeOf(body)}`]);
  }
  const eventName = (body as { event?: unknown }).event;
  const named = typeof eventName === 'string' && EVENT_NAME.test(eventName.trim()) ? eventName.trim() : NO_EVENT;
  const envelope = parseAt(envelopeSchema, body, named, []);
  const { event, payload } = envelope;
  const happenedAt = envelope.event_ts ?? receivedAt;
  const at = ['payload'];

  switch (event) {
    case 'endpoint.url_validation': {
      const { plainToken } = parseAt(validationPayload, payload, event, at);
      return { kind: 'url-validation', plainToken };
    }
    case 'webinar.registration_created': {
      const { object } = parseAt(registrationPayload, payload, event, at);
      const { registrant, occurrences } = object;
      const [onlyOccurrence] = occurrences;
      return {
        kind: 'registered',
        platformId: object.id,
        // Several occurrences mean the registration covers them all: it belongs to the webinar, not one occurrence.
        occurrenceId: occurrences.length === 1 ? onlyOccurrence?.occurrence_id : undefined,
        email: registrant.email,
        name: nameOf(registrant.first_name, registrant.last_name),
        registrantId: registrant.id,
        registeredAt: envelope.event_ts,
        answers: answersOf(registrant),
      };
    }
    case 'webinar.participant_joined':
    case 'webinar.participant_left': {
      const { object } = parseAt(participantPayload, payload, event, at);
      const { participant } = object;
      const person = { platformId: object.id, email: emailOf(participant.email), name: participant.user_name, participantKey: participantKeyOf(participant, object.uuid, event) };
      return event === 'webinar.participant_joined'
        ? { kind: 'joined', ...person, joinedAt: participant.join_time ?? happenedAt }
        : { kind: 'left', ...person, joinedAt: participant.join_time, leftAt: participant.leave_time ?? happenedAt };
    }
    case 'webinar.started': {
      const { object } = parseAt(sessionPayload, payload, event, at);
      // In live events start_time is when this instance really started (seconds-precise, not the schedule).
      return { kind: 'started', platformId: object.id, startedAt: object.start_time ?? happenedAt };
    }
    case 'webinar.ended': {
      const { object } = parseAt(sessionPayload, payload, event, at);
      return { kind: 'ended', platformId: object.id, startedAt: object.start_time, endedAt: object.end_time ?? happenedAt };
    }
    case 'webinar.updated': {
      const update = parseAt(updatePayload, payload, event, at);
      return rescheduleOf(update, update.object.id, update.time_stamp ?? happenedAt, event);
    }
    case 'webinar.deleted': {
      const { operation, object } = parseAt(deletePayload, payload, event, at);
      // "all" deletes the whole series even when Zoom lists occurrences alongside.
      const occurrenceIds = operation === 'all' ? [] : object.occurrences.map((occurrence) => occurrence.occurrence_id);
      return occurrenceIds.length > 0 ? { kind: 'cancelled', platformId: object.id, occurrenceIds } : { kind: 'cancelled', platformId: object.id };
    }
    default:
      return { kind: 'ignored', event, reason: 'the engine does not act on this event' };
  }
}
