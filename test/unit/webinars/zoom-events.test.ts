/**
 * What a Zoom webhook body means: each recorded payload maps to its signal; ids come as numbers or
 * strings; a join and its leave share one key per stay (and a rejoin does not); guests without an
 * email still count; an update that does not move the start is ignored; a malformed body throws
 * with the event and the path, and never with an email address.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZoomPayloadError, zoomSignalOf, type ZoomSignal } from '../../../core/webinars/zoom-events.ts';

type Json = Record<string, unknown>;

const FIXTURES = [
  'endpoint.url_validation',
  'webinar.registration_created',
  'webinar.participant_joined',
  'webinar.participant_left',
  'webinar.started',
  'webinar.ended',
  'webinar.updated',
  'webinar.deleted',
] as const;

function fixture(name: (typeof FIXTURES)[number]): Json {
  return JSON.parse(readFileSync(new URL(`../../fixtures/zoom/${name}.json`, import.meta.url), 'utf8')) as Json;
}

/** A fixture with `edit` applied to a deep copy (the fixture files stay as Zoom sends them). */
function edited(name: (typeof FIXTURES)[number], edit: (body: Json & { payload: Json & { object: Json } }) => void): Json {
  const body = structuredClone(fixture(name)) as Json & { payload: Json & { object: Json } };
  edit(body);
  return body;
}

const participantOf = (body: { payload: { object: Json } }) => body.payload.object.participant as Json;
const registrantOf = (body: { payload: { object: Json } }) => body.payload.object.registrant as Json;

const receivedAt = new Date('2026-12-10T09:00:00Z');
const signalOf = (body: unknown): ZoomSignal => zoomSignalOf(body, receivedAt);

function payloadErrorOf(body: unknown): ZoomPayloadError {
  try {
    signalOf(body);
  } catch (error) {
    if (error instanceof ZoomPayloadError) return error;
    throw error;
  }
  throw new Error('expected a ZoomPayloadError, got a signal');
}

describe('each recorded Zoom event maps to its signal', () => {
  it.each(FIXTURES)('%s is acted on, not ignored', (name) => {
    expect(signalOf(fixture(name)).kind).not.toBe('ignored');
  });

  it('answers the URL-validation challenge with its plain token', () => {
    expect(signalOf(fixture('endpoint.url_validation'))).toEqual({ kind: 'url-validation', plainToken: 'qgg8vlvZRS6UYooatFL8Aw' });
  });

  it('a registration becomes a registered contact with the answered questions, labelled', () => {
    expect(signalOf(fixture('webinar.registration_created'))).toEqual({
      kind: 'registered',
      platformId: '81234567890',
      email: 'hanako.sato@example.co.jp',
      name: '花子 佐藤',
      registrantId: 'E5qMfcA4SSmHgDMVSwYong',
      registeredAt: new Date('2026-11-20T01:23:45.678Z'),
      // Empty standard fields (address, city, zip, state, phone) and the unanswered custom question are left out.
      answers: [
        { question: 'Country/Region', answer: 'JP' },
        { question: 'Industry', answer: 'Manufacturing' },
        { question: 'Organization', answer: '株式会社サンプル製作所' },
        { question: 'Job title', answer: '経理部 課長' },
        { question: 'Purchasing time frame', answer: '1-3 months' },
        { question: 'Role in purchase process', answer: 'Influencer' },
        { question: 'Number of employees', answer: '251-500' },
        { question: 'Questions & comments', answer: 'インボイス制度への対応について質問したいです。' },
        { question: '現在お使いの会計ソフトを教えてください', answer: 'freee' },
      ],
    });
  });

  it('a join and the matching leave carry the same participant key', () => {
    const joined = signalOf(fixture('webinar.participant_joined'));
    const left = signalOf(fixture('webinar.participant_left'));
    expect(joined).toEqual({
      kind: 'joined',
      platformId: '81234567890',
      email: 'hanako.sato@example.co.jp',
      name: '佐藤 花子',
      participantKey: '67C1A429-1476-BE1C-7324-EDCA76B69406',
      joinedAt: new Date('2026-12-10T05:01:12Z'),
    });
    expect(left).toEqual({
      kind: 'left',
      platformId: '81234567890',
      email: 'hanako.sato@example.co.jp',
      name: '佐藤 花子',
      participantKey: '67C1A429-1476-BE1C-7324-EDCA76B69406',
      leftAt: new Date('2026-12-10T05:48:40Z'),
    });
  });

  it('start and end carry the times the instance really ran', () => {
    expect(signalOf(fixture('webinar.started'))).toEqual({ kind: 'started', platformId: '81234567890', startedAt: new Date('2026-12-10T04:58:31Z') });
    expect(signalOf(fixture('webinar.ended'))).toEqual({
      kind: 'ended',
      platformId: '81234567890',
      startedAt: new Date('2026-12-10T04:58:31Z'),
      endedAt: new Date('2026-12-10T06:07:15Z'),
    });
  });

  it('an update that moves the start is a reschedule, timed by Zoom\'s time_stamp', () => {
    expect(signalOf(fixture('webinar.updated'))).toEqual({
      kind: 'rescheduled',
      platformId: '81234567890',
      startsAt: new Date('2026-12-17T05:00:00Z'),
      durationMinutes: 90,
      changedAt: new Date('2026-12-03T09:15:01.950Z'),
    });
  });

  it('deleting one occurrence cancels that occurrence only', () => {
    expect(signalOf(fixture('webinar.deleted'))).toEqual({ kind: 'cancelled', platformId: '81234567890', occurrenceIds: ['1796878800000'] });
  });
});

describe('webinar ids', () => {
  it('reads the same digits whether Zoom sends a number or a string', () => {
    for (const id of [81234567890, '81234567890', ' 81234567890 ', '812 3456 7890']) {
      const joined = signalOf(edited('webinar.participant_joined', (body) => (body.payload.object.id = id)));
      const registered = signalOf(edited('webinar.registration_created', (body) => (body.payload.object.id = id)));
      expect([joined, registered]).toMatchObject([{ platformId: '81234567890' }, { platformId: '81234567890' }]);
    }
  });

  it('refuses an id that is not digits, naming the path', () => {
    for (const id of ['WN_juM2BGyLQMyQ', '', 8.5, -3, true, null]) {
      const error = payloadErrorOf(edited('webinar.ended', (body) => (body.payload.object.id = id)));
      expect(error.message).toContain('webinar.ended: payload.object.id: expected the webinar id as digits');
    }
  });
});

describe('participant keys: one per stay', () => {
  it('a rejoin is another stay', () => {
    const rejoined = edited('webinar.participant_joined', (body) => {
      Object.assign(participantOf(body), { participant_uuid: '9D1E2F4B-0C1A-4B7E-8E55-2B3C4D5E6F70', user_id: '16779264', join_time: '2026-12-10T05:50:02Z' });
    });
    expect(signalOf(rejoined)).toMatchObject({ participantKey: '9D1E2F4B-0C1A-4B7E-8E55-2B3C4D5E6F70' });
    expect(signalOf(fixture('webinar.participant_joined'))).toMatchObject({ participantKey: '67C1A429-1476-BE1C-7324-EDCA76B69406' });
  });

  it('without participant_uuid, user_id pairs join and leave within one instance, not across instances', () => {
    const withoutUuid = (name: 'webinar.participant_joined' | 'webinar.participant_left', instance: string) =>
      edited(name, (body) => {
        delete participantOf(body).participant_uuid;
        body.payload.object.uuid = instance;
      });
    const joined = signalOf(withoutUuid('webinar.participant_joined', 'Vx6mU9xFQxWmN0c3Q8Zx1A=='));
    const left = signalOf(withoutUuid('webinar.participant_left', 'Vx6mU9xFQxWmN0c3Q8Zx1A=='));
    const nextWeek = signalOf(withoutUuid('webinar.participant_joined', 'k3J8pQ0mR2eYt6Wv9Zb1Cg=='));
    expect(joined).toMatchObject({ kind: 'joined', participantKey: 'Vx6mU9xFQxWmN0c3Q8Zx1A==/16778240' });
    expect(left).toMatchObject({ kind: 'left', participantKey: 'Vx6mU9xFQxWmN0c3Q8Zx1A==/16778240' });
    // Zoom hands out the same small user_id ("16778240") again in the next instance.
    expect(nextWeek).toMatchObject({ participantKey: 'k3J8pQ0mR2eYt6Wv9Zb1Cg==/16778240' });
  });

  it('with neither, falls back to the account id and join time, and refuses a body that has no way to tell stays apart', () => {
    const bare = (name: 'webinar.participant_joined' | 'webinar.participant_left', fields: Json) =>
      edited(name, (body) => {
        body.payload.object.participant = fields;
      });
    expect(signalOf(bare('webinar.participant_joined', { id: 'iFxeBPYun6SAiWUzBcEkX', join_time: '2026-12-10T05:01:12Z' }))).toMatchObject({
      participantKey: 'iFxeBPYun6SAiWUzBcEkX@2026-12-10T05:01:12.000Z',
    });
    const error = payloadErrorOf(bare('webinar.participant_left', { id: 'iFxeBPYun6SAiWUzBcEkX', email: 'hanako.sato@example.co.jp', leave_time: '2026-12-10T05:48:40Z' }));
    expect(error.message).toContain('webinar.participant_left: payload.object.participant: expected participant_uuid or user_id');
    expect(error.message).not.toContain('hanako');
  });

  it('keeps the join time a leave event carries (older payloads send it)', () => {
    const left = edited('webinar.participant_left', (body) => (participantOf(body).join_time = '2026-12-10T05:01:12Z'));
    expect(signalOf(left)).toMatchObject({ kind: 'left', joinedAt: new Date('2026-12-10T05:01:12Z'), leftAt: new Date('2026-12-10T05:48:40Z') });
  });
});

describe('emails and names', () => {
  it('lower-cases and trims an email', () => {
    const joined = edited('webinar.participant_joined', (body) => (participantOf(body).email = '  Hanako.Sato@EXAMPLE.co.jp '));
    expect(signalOf(joined)).toMatchObject({ email: 'hanako.sato@example.co.jp' });
  });

  it('a guest without a usable email still joins and leaves, with the email left out', () => {
    for (const email of ['', '   ', 'not an address', null, undefined]) {
      const joined = signalOf(edited('webinar.participant_joined', (body) => (participantOf(body).email = email)));
      const left = signalOf(edited('webinar.participant_left', (body) => (participantOf(body).email = email)));
      expect(joined).toMatchObject({ kind: 'joined', participantKey: '67C1A429-1476-BE1C-7324-EDCA76B69406' });
      expect(left).toMatchObject({ kind: 'left', participantKey: '67C1A429-1476-BE1C-7324-EDCA76B69406' });
      expect([joined, left].map((signal) => ('email' in signal ? signal.email : 'absent'))).toEqual([undefined, undefined]);
    }
  });

  it('a registration without a valid email is refused, without echoing what was sent', () => {
    for (const email of ['hanako.sato@', 'Hanako Sato', '', undefined]) {
      const error = payloadErrorOf(edited('webinar.registration_created', (body) => (registrantOf(body).email = email)));
      expect(error.message).toContain('webinar.registration_created: payload.object.registrant.email: expected the registrant\'s email address');
      expect(error.message).not.toMatch(/hanako|sato/iu);
    }
  });

  it('a name is the parts Zoom sent; none leaves it out', () => {
    const onlyFirst = edited('webinar.registration_created', (body) => delete registrantOf(body).last_name);
    const none = edited('webinar.registration_created', (body) => Object.assign(registrantOf(body), { first_name: '', last_name: ' ' }));
    expect(signalOf(onlyFirst)).toMatchObject({ name: '花子' });
    expect(signalOf(none)).toMatchObject({ kind: 'registered', name: undefined });
    const unnamed = signalOf(edited('webinar.participant_joined', (body) => delete participantOf(body).user_name));
    expect(unnamed).toMatchObject({ kind: 'joined', name: undefined });
  });
});

describe('registrations', () => {
  it('a minimal registration (email only, no questions) has no answers', () => {
    const minimal = edited('webinar.registration_created', (body) => {
      body.payload.object.registrant = { email: 'k.tanaka@example.com' };
    });
    expect(signalOf(minimal)).toEqual({ kind: 'registered', platformId: '81234567890', email: 'k.tanaka@example.com', registeredAt: new Date('2026-11-20T01:23:45.678Z'), answers: [] });
  });

  it('names the occurrence when the registration is for exactly one, and none when it covers several', () => {
    const one = edited('webinar.registration_created', (body) => (body.payload.object.occurrences = [{ occurrence_id: '1796878800000', start_time: '2026-12-10T05:00:00Z' }]));
    const several = edited('webinar.registration_created', (body) => {
      body.payload.object.occurrences = [
        { occurrence_id: '1796878800000', start_time: '2026-12-10T05:00:00Z' },
        { occurrence_id: 1797483600000, start_time: '2026-12-17T05:00:00Z' },
      ];
    });
    expect(signalOf(one)).toMatchObject({ occurrenceId: '1796878800000' });
    expect(signalOf(several)).toMatchObject({ kind: 'registered', occurrenceId: undefined });
  });

  it('ignores fields it does not know', () => {
    const extra = edited('webinar.registration_created', (body) => {
      Object.assign(registrantOf(body), { language: 'ja-JP', create_time: '2026-11-20T01:23:45Z' });
      body.payload.object.settings = { approval_type: 0 };
    });
    expect(signalOf(extra)).toEqual(signalOf(fixture('webinar.registration_created')));
  });

  it('refuses a custom question without a title, naming its index', () => {
    const error = payloadErrorOf(edited('webinar.registration_created', (body) => (registrantOf(body).custom_questions = [{ title: 'Q', value: 'a' }, { value: 'b' }])));
    expect(error.message).toContain('payload.object.registrant.custom_questions[1].title');
  });
});

describe('updates', () => {
  const update = (object: Json, oldObject?: Json) =>
    edited('webinar.updated', (body) => {
      body.payload.object = { id: 81234567890, ...object };
      if (oldObject === undefined) delete body.payload.old_object;
      else body.payload.old_object = { id: 81234567890, ...oldObject };
    });

  it('a topic-only or settings-only update is ignored', () => {
    expect(signalOf(update({ topic: '請求書の電子化 入門 (第2回)' }, { topic: '請求書の電子化 入門ウェビナー' }))).toMatchObject({ kind: 'ignored', event: 'webinar.updated' });
    expect(signalOf(update({ settings: { audio: 'voip' } }, { settings: { audio: 'both' } }))).toMatchObject({ kind: 'ignored' });
  });

  it('an update repeating the same start is not a reschedule', () => {
    expect(signalOf(update({ start_time: '2026-12-10T05:00:00Z', topic: 'new' }, { start_time: '2026-12-10T05:00:00Z', topic: 'old' }))).toMatchObject({ kind: 'ignored' });
  });

  it('moving one occurrence of a recurring webinar reschedules that occurrence', () => {
    const moved = update(
      { occurrences: [{ occurrence_id: '1796878800000', start_time: '2026-12-11T05:00:00Z', duration: 60, status: 'available' }] },
      { occurrences: [{ occurrence_id: '1796878800000', start_time: '2026-12-10T05:00:00Z', duration: 60, status: 'available' }] },
    );
    expect(signalOf(moved)).toEqual({
      kind: 'rescheduled',
      platformId: '81234567890',
      occurrenceId: '1796878800000',
      startsAt: new Date('2026-12-11T05:00:00Z'),
      durationMinutes: 60,
      changedAt: new Date('2026-12-03T09:15:01.950Z'),
    });
  });

  it('a duration-only change is ignored, with the reason saying why', () => {
    expect(signalOf(update({ duration: 90 }, { duration: 60 }))).toEqual({
      kind: 'ignored',
      event: 'webinar.updated',
      reason: 'only the duration changed and the update carries no start_time to reschedule to',
    });
  });

  it('without time_stamp the change is timed by event_ts, then by the receipt', () => {
    const noTimeStamp = edited('webinar.updated', (body) => delete body.payload.time_stamp);
    expect(signalOf(noTimeStamp)).toMatchObject({ changedAt: new Date('2026-12-03T09:15:02.113Z') });
    delete noTimeStamp.event_ts;
    expect(signalOf(noTimeStamp)).toMatchObject({ changedAt: receivedAt });
  });
});

describe('cancellations and ends', () => {
  it('deleting a whole webinar (or "all" occurrences) cancels it without occurrence ids', () => {
    const whole = edited('webinar.deleted', (body) => {
      delete body.payload.operation;
      delete body.payload.object.occurrences;
    });
    const all = edited('webinar.deleted', (body) => (body.payload.operation = 'all'));
    expect(signalOf(whole)).toEqual({ kind: 'cancelled', platformId: '81234567890' });
    expect(signalOf(all)).toEqual({ kind: 'cancelled', platformId: '81234567890' });
  });

  it('an end without end_time is timed by event_ts, and without that by the receipt', () => {
    const noEnd = edited('webinar.ended', (body) => delete body.payload.object.end_time);
    expect(signalOf(noEnd)).toMatchObject({ kind: 'ended', endedAt: new Date('2026-12-10T06:07:15.777Z') });
    delete noEnd.event_ts;
    expect(signalOf(noEnd)).toMatchObject({ kind: 'ended', endedAt: receivedAt });
  });
});

describe('events the engine does not act on', () => {
  it('an unknown or unhandled event is ignored, whatever its payload', () => {
    expect(signalOf({ event: 'webinar.registration_approved', event_ts: 1795137825678, payload: { object: { id: 81234567890 } } })).toEqual({
      kind: 'ignored',
      event: 'webinar.registration_approved',
      reason: 'the engine does not act on this event',
    });
    expect(signalOf({ event: 'meeting.participant_joined' })).toMatchObject({ kind: 'ignored', event: 'meeting.participant_joined' });
  });
});

describe('malformed bodies', () => {
  const cases: Array<[string, unknown, string]> = [
    ['not an object', 'webinar.participant_joined', '(event unknown): body: expected the parsed webhook JSON (an object), got a string'],
    ['null', null, '(event unknown): body: expected the parsed webhook JSON (an object), got null'],
    ['an array', [fixture('webinar.participant_joined')], '(event unknown): body: expected the parsed webhook JSON (an object), got an array'],
    ['no event', edited('webinar.participant_joined', (body) => delete body.event), '(event unknown): event: expected the event name'],
    ['no payload', edited('webinar.started', (body) => delete (body as Json).payload), 'webinar.started: payload: expected the webinar event (an object), got nothing'],
    ['no payload.object.id', edited('webinar.participant_joined', (body) => delete body.payload.object.id), 'webinar.participant_joined: payload.object.id: expected the webinar id as digits'],
    ['no participant', edited('webinar.participant_left', (body) => delete body.payload.object.participant), 'webinar.participant_left: payload.object.participant: expected the participant (an object), got nothing'],
    ['a join time that is not a time', edited('webinar.participant_joined', (body) => (participantOf(body).join_time = '10/12/2026 14:01')), 'webinar.participant_joined: payload.object.participant.join_time: expected an ISO-8601 time'],
    ['a time without a zone', edited('webinar.ended', (body) => (body.payload.object.end_time = '2026-12-10T06:07:15')), 'webinar.ended: payload.object.end_time: expected an ISO-8601 time'],
    ['an event name that is not one', edited('webinar.participant_joined', (body) => (body.event = 'hanako.sato@example.co.jp')), '(event unknown): event: expected an event name like'],
    ['a day the month does not have', edited('webinar.participant_left', (body) => (participantOf(body).leave_time = '2026-02-30T05:48:40Z')), 'webinar.participant_left: payload.object.participant.leave_time: expected an ISO-8601 time'],
    ['an impossible date', edited('webinar.started', (body) => (body.payload.object.start_time = '2026-13-40T25:00:00Z')), 'webinar.started: payload.object.start_time: expected an ISO-8601 time'],
    ['event_ts in seconds', edited('webinar.ended', (body) => (body.event_ts = 1796882835)), 'webinar.ended: event_ts: expected epoch milliseconds'],
    ['time_stamp as text', edited('webinar.updated', (body) => (body.payload.time_stamp = 'yesterday')), 'webinar.updated: payload.time_stamp: expected epoch milliseconds'],
    ['a challenge without a token', { event: 'endpoint.url_validation', payload: {} }, 'endpoint.url_validation: payload.plainToken: expected the plain token'],
  ];

  it.each(cases)('%s throws a ZoomPayloadError naming the event and the path', (_name, body, expected) => {
    const error = payloadErrorOf(body);
    expect(error.message).toContain(`Zoom webhook ${expected}`);
    expect(error.message).not.toMatch(/@|hanako|佐藤|webinar-team/iu);
  });

  it('never puts an email from the body into the message, whatever the address', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.constantFrom('id', 'join_time', 'participant'), (email, broken) => {
        const body = edited('webinar.participant_joined', (draft) => {
          participantOf(draft).email = email;
          participantOf(draft).user_name = email;
          if (broken === 'id') draft.payload.object.id = email;
          if (broken === 'join_time') participantOf(draft).join_time = email;
          if (broken === 'participant') draft.payload.object.participant = email;
        });
        const error = payloadErrorOf(body);
        expect(error.message).not.toContain(email);
      }),
    );
  });
});
