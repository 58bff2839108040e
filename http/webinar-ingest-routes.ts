/**
 * `POST /api/ingest/webinars/<webinar>/sessions/<session>/attendance`: attendance and registrations
 * from platforms other than Zoom, as JSON (authenticated with the ingest token). Rows are checked
 * one by one; the answer lists rejected rows by index, and accepted ones are stored idempotently
 * (sending the same body again stores nothing new).
 */
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { emailSchema } from '../core/config/schema/common.ts';
import { importAttendance, type AttendedStay, type ReportedRegistration } from '../core/webinars/record-attendance.ts';
import type { WebinarDeps } from '../core/webinars/register-for-webinar.ts';
import { findSession } from '../core/webinars/webinar-catalog.ts';

export const MAX_ATTENDANCE_ROWS = 5000;

const instant = z.iso.datetime({ offset: true, error: 'expected an ISO-8601 time with an offset, e.g. 2026-12-10T14:05:00+09:00' });
const stayRowSchema = z
  .strictObject({ email: emailSchema, name: z.string().max(200).optional(), joinTime: instant, leaveTime: instant.optional(), minutes: z.number().min(0).max(24 * 60).optional() })
  .refine((row) => (row.leaveTime === undefined) !== (row.minutes === undefined), { error: 'give either leaveTime or minutes' })
  .refine((row) => row.leaveTime === undefined || Date.parse(row.leaveTime) >= Date.parse(row.joinTime), { error: 'leaveTime is before joinTime' });
const registrationRowSchema = z.strictObject({
  email: emailSchema,
  name: z.string().max(200).optional(),
  registeredAt: instant.optional(),
  answers: z.array(z.strictObject({ question: z.string().min(1).max(500), answer: z.string().min(1).max(2000) })).max(50).default([]),
});
const bodySchema = z.strictObject({
  attendance: z.array(z.unknown()).max(MAX_ATTENDANCE_ROWS, { error: `at most ${MAX_ATTENDANCE_ROWS} rows per request` }).default([]),
  registrations: z.array(z.unknown()).max(MAX_ATTENDANCE_ROWS, { error: `at most ${MAX_ATTENDANCE_ROWS} rows per request` }).default([]),
});

export function webinarIngestRoutes(deps: WebinarDeps & { ingestToken: string }): Hono {
  const app = new Hono();
  app.use('*', bearerAuth({ token: deps.ingestToken }));
  app.use('*', bodyLimit({ maxSize: 2 * 1024 * 1024, onError: (c) => c.json({ error: 'request body is larger than 2 MiB: split the batch' }, 413) }));
  app.post('/:webinarId/sessions/:sessionId/attendance', async (c) => {
    const { webinarId, sessionId } = c.req.param();
    if (!findSession(deps.config, webinarId, sessionId)) return c.json({ error: `no session '${sessionId}' of webinar '${webinarId}' in the config` }, 404);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'request body must be JSON: { "attendance": [...], "registrations": [...] }' }, 400);
    }
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) return c.json({ error: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ') }, 400);
    const rejected: Array<{ record: string; reason: string }> = [];
    const stays: AttendedStay[] = [];
    parsed.data.attendance.forEach((value, index) => {
      const row = stayRowSchema.safeParse(value);
      if (!row.success) return void rejected.push({ record: `attendance[${index}]`, reason: row.error.issues.map((issue) => `${issue.path.join('.') || 'row'}: ${issue.message}`).join('; ') });
      const joinedAt = new Date(row.data.joinTime);
      stays.push({ email: row.data.email, ...(row.data.name ? { name: row.data.name } : {}), joinedAt, leftAt: row.data.leaveTime ? new Date(row.data.leaveTime) : new Date(joinedAt.getTime() + (row.data.minutes ?? 0) * 60_000) });
    });
    const registrations: ReportedRegistration[] = [];
    parsed.data.registrations.forEach((value, index) => {
      const row = registrationRowSchema.safeParse(value);
      if (!row.success) return void rejected.push({ record: `registrations[${index}]`, reason: row.error.issues.map((issue) => `${issue.path.join('.') || 'row'}: ${issue.message}`).join('; ') });
      registrations.push({ email: row.data.email, ...(row.data.name ? { name: row.data.name } : {}), ...(row.data.registeredAt ? { registeredAt: new Date(row.data.registeredAt) } : {}), answers: row.data.answers });
    });
    const outcome = await importAttendance({ webinarId, sessionId, origin: 'api', stays, registrations }, deps);
    return c.json({ ...outcome, rejected });
  });
  return app;
}
