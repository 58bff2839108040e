/**
 * An enrollment: one contact's progress through one nurture sequence. `nextStepAt` is set
 * while a step is pending and removed when the enrollment ends, so the due-step index stays sparse.
 */
import { z } from 'zod';

export const enrollmentSchema = z.strictObject({
  contactId: z.string().min(1),
  accountId: z.string().min(1),
  sequenceId: z.string().min(1),
  state: z.enum(['active', 'completed', 'exited']),
  enrolledAt: z.iso.datetime(),
  /** Index of the next step to consider. */
  nextStepIndex: z.number().int().min(0),
  nextStepAt: z.iso.datetime().optional(),
  exitReason: z.string().optional(),
  /** Bumped on every change: updates are conditional on it, so two workers cannot both advance a step. */
  version: z.number().int().min(0),
});

export type Enrollment = z.infer<typeof enrollmentSchema>;
