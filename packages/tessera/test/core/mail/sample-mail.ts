// The message the mail tests send: Korean in the subject and body, and a reset link long enough
// that quoted-printable would have to break it.
import type { MailMessage } from '../../../src/core/mail/mail-message.ts';

export const recipient = 'jiwoo.kim@example.com';

/** the secret part of the link, which no log line above debug may show */
export const token = 'c7m9qx-4b1f0e5d9a8c7b6a5f4e3d2c1b0a9f8e';

export const resetLink = `https://accounts.example.com/accounts/reset/MTIzNDU/${token}/?next=%2Fsettings%2Fsecurity%2F&campaign=password-reset-2030`;

export function sampleMail(overrides: Partial<MailMessage> = {}): MailMessage {
  return {
    to: recipient,
    subject: '비밀번호 재설정 안내',
    text: `안녕하세요, 지우 님.\n\n아래 링크를 눌러 비밀번호를 다시 설정하세요:\n\n${resetLink}\n\n요청하지 않으셨다면 이 메일을 무시하세요.\n`,
    html: `<p>안녕하세요, 지우 님.</p><p><a href="${resetLink}">비밀번호 재설정</a></p>`,
    ...overrides,
  };
}
