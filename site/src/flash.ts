// One-time messages ("Saved.") shown on the next page, kept in the session like Django's messages.
import type { FastifyRequest } from 'fastify';

const flashKey = '_flash';

/** Queues a message for the next page; only the last few are kept, so a loop cannot grow the session. */
export function addFlash(request: FastifyRequest, message: string): void {
  const current = request.session?.get<string[]>(flashKey) ?? [];
  request.session.set(flashKey, [...current, message].slice(-5));
}

/** The queued messages, removed from the session: each is shown once. */
export function popFlash(request: FastifyRequest): string[] {
  const session = request.session;
  if (!session) return [];
  const messages = session.get<unknown>(flashKey);
  if (messages === undefined) return [];
  session.delete(flashKey);
  return Array.isArray(messages) ? messages.filter((m): m is string => typeof m === 'string') : [];
}
