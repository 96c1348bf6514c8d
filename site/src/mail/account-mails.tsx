// The site's two mails, a password-reset link and an address-verification link, each as a text
// part and an HTML part in the visitor's language, the HTML rendered by preact like the pages.
import type { MailMessage } from 'tessera';
import { translator, type Lang } from '../i18n/index.ts';
import { renderHtml } from '../pages/render-html.ts';

interface MailContent {
  lang: Lang;
  to: string;
  subject: string;
  /** paragraphs before the link */
  intro: string[];
  action: { text: string; href: string };
  /** paragraphs after the link */
  outro: string[];
}

// Mail clients drop <style> and <link> more often than not: the few styles are inline.
const bodyStyle =
  "margin:0;padding:24px 12px;background:#f4f5f7;color:#1d2330;font:16px/1.55 system-ui,-apple-system,'Segoe UI',Roboto,'Apple SD Gothic Neo','Malgun Gothic','Noto Sans KR','NanumGothic',sans-serif";
const cardStyle = 'max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #dfe3ea;border-radius:8px;padding:24px';
const buttonStyle = 'display:inline-block;background:#2151c5;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none;font-weight:600';
const smallStyle = 'font-size:13px;color:#4a5262;word-break:break-all';

function MailBody({ content, linkHelp, site }: { content: MailContent; linkHelp: string; site: string }) {
  return (
    <html lang={content.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{content.subject}</title>
      </head>
      <body style={bodyStyle}>
        <div style={cardStyle}>
          <p style="margin:0 0 16px;font-weight:700;font-size:18px">{site}</p>
          {content.intro.map((text) => (
            <p>{text}</p>
          ))}
          <p style="margin:24px 0">
            <a href={content.action.href} style={buttonStyle}>
              {content.action.text}
            </a>
          </p>
          {content.outro.map((text) => (
            <p>{text}</p>
          ))}
          <p style={smallStyle}>
            {linkHelp}
            <br />
            <a href={content.action.href}>{content.action.href}</a>
          </p>
        </div>
      </body>
    </html>
  );
}

function mail(content: MailContent): MailMessage {
  const t = translator(content.lang);
  const site = t('site.name');
  // The text part reads on its own: the link on a line of its own, whole, so terminals and
  // plain-text clients make it clickable.
  const text = [...content.intro, '', `${content.action.text}:`, content.action.href, '', ...content.outro, '', `— ${site}`].join('\n');
  const html = `<!doctype html>\n${renderHtml(<MailBody content={content} linkHelp={t('mail.link_help')} site={site} />)}`;
  return { to: content.to, subject: content.subject, text, html };
}

const hours = (seconds: number) => Math.max(1, Math.round(seconds / 3600));

export function passwordResetMail(options: { lang: Lang; to: string; username: string; link: string; timeoutSeconds: number }): MailMessage {
  const t = translator(options.lang);
  const site = t('site.name');
  return mail({
    lang: options.lang,
    to: options.to,
    subject: t('mail.reset.subject', { site }),
    intro: [t('mail.reset.intro', { username: options.username, site })],
    action: { text: t('mail.reset.action'), href: options.link },
    outro: [t('mail.reset.expiry', { hours: hours(options.timeoutSeconds) }), t('mail.reset.ignore')],
  });
}

export function verificationMail(options: { lang: Lang; to: string; username: string; link: string; timeoutSeconds: number }): MailMessage {
  const t = translator(options.lang);
  const site = t('site.name');
  return mail({
    lang: options.lang,
    to: options.to,
    subject: t('mail.verify.subject', { site }),
    intro: [t('mail.verify.intro', { email: options.to, username: options.username, site })],
    action: { text: t('mail.verify.action'), href: options.link },
    outro: [t('mail.verify.expiry', { hours: hours(options.timeoutSeconds) }), t('mail.verify.ignore', { site })],
  });
}
