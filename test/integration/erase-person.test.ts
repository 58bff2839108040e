/**
 * Erasure against DynamoDB Local: a person with data in every item kind (contact, email look-up,
 * events with scores and KPI counters, a send, a parked send, an enrollment, a webinar registration
 * with attendance marks, a survey comment, usage, a suppression) is erased; a raw scan of the whole
 * table then finds none of their data, the counters and the account's score have not moved, the
 * suppression still blocks the address (also after the CRM imports it again), and a second
 * erasure finds nothing left. An unknown person changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { erasePerson, parsePersonIdentifier, NO_ERASURE, type ErasePersonDeps } from '../../core/privacy/erase-person.ts';
import { registerForWebinar } from '../../core/webinars/register-for-webinar.ts';
import { engagementRecorderOf } from '../../core/scoring/record-engagement.ts';
import { createTestTable, scanTable, type TestTable } from '../support/dynamo.ts';
import { importPerson, itemsMentioning, seedPersonEverywhere, WEBINAR } from '../support/personal-data.ts';
import { openConfig } from '../support/sending-fixtures.ts';

let table: TestTable;
let config: EngineConfig;
const clock = { now: () => new Date('2026-12-02T03:00:00.000Z') };
let deps: ErasePersonDeps;
/** Items that keep the bare contact id after an erasure (a send's claim, a survey's score, a unique-count marker), none with personal data. */
const KINDS_KEEPING_THE_CONTACT_ID = new Set(['send', 'survey-answer', 'kpi-first']);

beforeAll(async () => {
  table = await createTestTable('erase-person', { kpiStream: true });
  ({ config } = await openConfig());
  deps = { customers: table.store.customers, erasure: table.store.erasure, clock };
});
afterAll(() => table.drop());

describe('erasing a person', () => {
  it('removes their data from every item, keeps counters, scores and a hashed suppression, and converges', async () => {
    const person = await seedPersonEverywhere(table.store, config, clock, { contactId: 'con-erin', accountId: 'acc-erase' });
    // A colleague at the same account, who must be left alone.
    const colleague = await seedPersonEverywhere(table.store, config, clock, { contactId: 'con-colleague', accountId: 'acc-erase' });
    // The counters as the stream's consumer leaves them (the KpiCounters function in AWS).
    await table.countKpis();
    const countersBefore = await table.store.kpis.runCounters('monthly-newsletter', 'run-1');
    const accountScoreBefore = await table.store.scores.getScore('account', 'acc-erase');
    const registrantsBefore = await table.store.webinars.listRegistrants(WEBINAR.webinarId, WEBINAR.sessionId);
    expect(itemsMentioning(await scanTable(table), person.personalStrings).length).toBeGreaterThan(8);

    const result = await erasePerson(parsePersonIdentifier('Erin.Eraser+con-erin@Example.com'), deps);

    expect(result).toEqual({
      outcome: 'erased',
      removed: {
        contacts: 1,
        emailLookUps: 1,
        enrollments: 1,
        engagementEvents: 4, // delivery, open, click, and the webinar registration
        contactScores: 1,
        deferredSends: 4, // the campaign's parked send, and the webinar emails the registration parked
        surveyComments: 1,
        usageRecords: 1,
        registrants: 1,
        attendanceMarks: 2,
        suppressionsHashed: 1,
        suppressionsCreated: 0,
      },
    });
    const items = await scanTable(table);
    expect(itemsMentioning(items, [...person.personalStrings.filter((text) => text.includes('@')), 'con-erin@'])).toEqual([]);
    // Names and free text are shared by the colleague's seed: only the colleague's items may still carry them.
    expect(itemsMentioning(items, person.personalStrings).every((json) => json.includes('con-colleague'))).toBe(true);
    // The bare contact id stays only where docs/data-model.md says (no item maps it back to a person any more).
    expect(new Set(items.filter((item) => JSON.stringify(item).includes('con-erin"') || JSON.stringify(item).includes('#con-erin')).map((item) => item.entity))).toEqual(KINDS_KEEPING_THE_CONTACT_ID);

    // Anonymous aggregates do not move: the run's counters (the erasure's own changes count nothing), the account's score, the session's figures.
    await table.countKpis();
    expect(await table.store.kpis.runCounters('monthly-newsletter', 'run-1')).toEqual(countersBefore);
    expect(await table.store.scores.getScore('account', 'acc-erase')).toEqual(accountScoreBefore);
    const registrantsAfter = await table.store.webinars.listRegistrants(WEBINAR.webinarId, WEBINAR.sessionId);
    expect(registrantsAfter).toHaveLength(registrantsBefore.length);
    const anonymous = registrantsAfter.find((registrant) => registrant.email.startsWith('erased:'));
    expect(anonymous).toMatchObject({ answers: [], source: 'api', accountId: 'acc-erase' });
    expect(anonymous?.name).toBeUndefined();
    const marks = await table.store.webinars.listAttendance(WEBINAR.webinarId, WEBINAR.sessionId);
    expect(marks.filter((mark) => mark.person === anonymous?.email)).toHaveLength(2);

    // The suppression stays, by hash: dispatch and the sender still find it, also after a re-import.
    expect((await table.store.suppressions.suppressedAmong([person.email])).get(person.email)).toMatchObject({ reason: 'unsubscribe', source: 'token-abc' });
    await importPerson(table.store, clock, { contactId: 'con-erin-again', accountId: 'acc-erase', email: person.email, firstName: 'E', lastName: 'E' });
    expect((await table.store.suppressions.suppressedAmong([person.email.toUpperCase()])).has(person.email)).toBe(true);
    // The colleague is untouched.
    expect(await table.store.customers.getContact(colleague.contactId)).toBeDefined();
    expect((await table.store.suppressions.suppressedAmong([colleague.email])).get(colleague.email)?.email).toBe(colleague.email);
  });

  it('erasing twice finds nothing left the second time, by address; by contact id, nothing named by it', async () => {
    const person = await seedPersonEverywhere(table.store, config, clock, { contactId: 'con-twice', accountId: 'acc-twice' });
    expect((await erasePerson({ email: person.email }, deps)).outcome).toBe('erased');
    const before = await scanTable(table);
    expect(await erasePerson({ email: person.email }, deps)).toEqual({ outcome: 'nothing-left', removed: NO_ERASURE });
    expect(await erasePerson({ contactId: 'con-twice' }, deps)).toMatchObject({ outcome: 'unknown' });
    expect(await scanTable(table)).toEqual(before);
  });

  it('erases by contact id', async () => {
    const person = await seedPersonEverywhere(table.store, config, clock, { contactId: 'con-by-id', accountId: 'acc-by-id' });
    // Counted (the markers written) before the erasure, as the stream's consumer would have by then.
    await table.countKpis();
    const result = await erasePerson(parsePersonIdentifier('con-by-id'), deps);
    expect(result).toMatchObject({ outcome: 'erased', removed: { contacts: 1, registrants: 1, engagementEvents: 4, suppressionsHashed: 1 } });
    const items = await scanTable(table);
    expect(itemsMentioning(items, [person.email])).toEqual([]);
    expect(new Set(items.filter((item) => JSON.stringify(item).includes('con-by-id')).map((item) => item.entity))).toEqual(KINDS_KEEPING_THE_CONTACT_ID);
    expect((await table.store.suppressions.suppressedAmong([person.email])).has(person.email)).toBe(true);
  });

  it('erases a registrant no contact owns, by address, and leaves a hashed suppression so the address is not mailed later', async () => {
    const engagement = engagementRecorderOf(table.store, config.scoring, clock);
    const walkIn = 'walk.in@example.org';
    const registered = await registerForWebinar(
      { ...WEBINAR, email: walkIn, name: 'Walker Innsbruck', source: 'link' },
      { config, webinars: table.store.webinars, customers: table.store.customers, engagement, sends: table.store.sends, clock },
    );
    expect(registered.outcome).toBe('unmatched');
    const result = await erasePerson({ email: walkIn }, deps);
    expect(result).toEqual({ outcome: 'erased', removed: { ...NO_ERASURE, registrants: 1, suppressionsCreated: 1 } });
    expect(itemsMentioning(await scanTable(table), [walkIn, 'Innsbruck'])).toEqual([]);
    expect(await table.store.webinars.listUnmatchedRegistrants(100)).toEqual([]);
    expect((await table.store.suppressions.suppressedAmong([walkIn])).get(walkIn)).toMatchObject({ reason: 'manual', source: 'erasure' });
  });

  it('an unknown address or contact id changes nothing', async () => {
    const before = await scanTable(table);
    expect(await erasePerson({ email: 'nobody@example.net' }, deps)).toMatchObject({ outcome: 'unknown' });
    expect(await erasePerson({ contactId: 'con-nobody' }, deps)).toMatchObject({ outcome: 'unknown' });
    expect(await scanTable(table)).toEqual(before);
  });

  it('refuses an argument that is neither an address nor a contact id', () => {
    expect(() => parsePersonIdentifier('not an id')).toThrow(/expected an email address or a contact id/);
    expect(() => parsePersonIdentifier('a@b')).toThrow(/email address/);
  });
});
