// Forms that count attempts: the user's own password checked like a login, and the 429 a throttled form answers.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User } from 'tessera';
import type { FormErrors } from './forms.ts';

/**
 * Whether `password` is the user's own, counted like a login (per account, address and device),
 * so a stolen session cannot guess at the password behind it; a throttled check says how long
 * to wait. The check is authenticate's, one hash whatever the answer.
 */
export async function checkOwnPassword(request: FastifyRequest, user: User, password: string): Promise<'ok' | 'wrong' | { retryAfterSeconds: number }> {
  const result = await request.authenticate(user.username, password);
  if (result.ok) return result.user.id === user.id ? 'ok' : 'wrong';
  return result.reason === 'throttled' ? { retryAfterSeconds: result.retryAfterSeconds } : 'wrong';
}

/**
 * Readies a throttled form's answer and returns its status, 429: the form says how long to wait
 * (failed logins and own-password checks share one message; sign-ups have their own), and
 * Retry-After says it to machines.
 */
export function tooManyAttempts(
  request: FastifyRequest,
  reply: FastifyReply,
  errors: FormErrors,
  retryAfterSeconds: number,
  message: 'login.throttled' | 'signup.throttled' = 'login.throttled',
): 429 {
  errors.general.push(request.t(message, { seconds: retryAfterSeconds }));
  reply.header('Retry-After', String(retryAfterSeconds));
  return 429;
}
