// What a campaign counts: requests sent, statuses, the valid requests carried out, and every violation found.

export interface Violation {
  rule: string;
  what: string;
  detail: string;
}

export interface Tally {
  sent: number;
  http: number;
  raw: number;
  statuses: Map<string, number>;
  signups: number;
  logins: number;
  logouts: number;
  articles: { id: number; title: string; content: string; authorId: number }[];
  violations: Violation[];
  generated: number;
  keepAliveRetries: number;
  /** per field poison: how many were sent, and how many the handler itself refused (4xx past the CSRF check) */
  poisons: Map<string, { sent: number; refusedByHandler: number }>;
  drops: number;
  oversizeDrops: number;
}
