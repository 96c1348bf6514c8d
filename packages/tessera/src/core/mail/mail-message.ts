// What tessera mails: one message to one recipient, always as plain text and as HTML.
import { randomBytes } from 'node:crypto';

/**
 * A message as the flows compose it (a password reset, an address verification). One recipient a
 * message, so no one ever learns another's address from a To or Cc line.
 */
export interface MailMessage {
  to: string;
  subject: string;
  /** the plain-text part, which every client can show; links in it must work when copied */
  text: string;
  html: string;
}

/**
 * A message as a transport receives it: with its sender, and a Message-ID and Date fixed once when
 * it was queued, so every retry sends the same message and a receiver that got it twice (the reply
 * to DATA was lost) can tell the copies apart from two messages.
 */
export interface OutgoingMail extends MailMessage {
  from: string;
  /** `<random@domain>`, angle brackets included, as the header carries it */
  messageId: string;
  date: Date;
}

/**
 * A new Message-ID under the sender's domain (RFC 5322 wants it globally unique; 128 random bits
 * are). A sender without a usable domain, such as `webmaster@localhost`, still gets one.
 */
export function newMessageId(from: string): string {
  const address = /<([^<>]*)>\s*$/.exec(from)?.[1] ?? from;
  const at = address.lastIndexOf('@');
  const domain = at < 0 ? '' : address.slice(at + 1).trim();
  const safeDomain = /^[A-Za-z0-9.-]+$/.test(domain) ? domain.toLowerCase() : 'localhost';
  return `<${randomBytes(16).toString('hex')}@${safeDomain}>`;
}
