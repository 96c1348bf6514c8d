// A page that says one thing, with the way on: "check your email", "this link does not work".
import { Layout } from './layout.tsx';

export interface MessagePageProps {
  title: string;
  paragraphs: string[];
  /** where to go from here, e.g. the login page */
  links: { href: string; text: string }[];
}

export function MessagePage({ title, paragraphs, links }: MessagePageProps) {
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      {paragraphs.map((text) => (
        <p class="message">{text}</p>
      ))}
      {links.length > 0 && (
        <div class="form-links">
          {links.map((link) => (
            <p>
              <a href={link.href}>{link.text}</a>
            </p>
          ))}
        </div>
      )}
    </Layout>
  );
}
