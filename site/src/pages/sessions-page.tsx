// The user's sessions: device, address, when, which one is this, and the buttons that end them.
import { CsrfInput } from './csrf-input.tsx';
import { Layout } from './layout.tsx';
import { withPage } from './page-context.ts';

export interface SessionRow {
  /** the session's public id, never its token */
  id: string;
  current: boolean;
  device: string;
  ip: string;
  /** false for a browser-session login */
  persistent: boolean;
  created: string;
  createdIso: string;
  lastSeen: string;
  lastSeenIso: string;
}

/** One of the user's own recent authentication events. */
export interface ActivityRow {
  what: string;
  ip: string;
  device: string;
  when: string;
  whenIso: string;
}

export interface SessionsPageProps {
  sessions: SessionRow[];
  /** the user's own recent authentication events, newest first */
  activity: ActivityRow[];
  /** false where the store cannot list a user's sessions (the cookie store): only this one shows */
  othersListed: boolean;
}

export const SessionsPage = withPage<SessionsPageProps>(({ sessions, othersListed, activity }, { t }) => {
  return (
    <Layout title={t('sessions.title')}>
      <h1>{t('sessions.title')}</h1>
      {othersListed ? <p>{t('sessions.intro')}</p> : <p id="sessions-not-listed">{t('sessions.others_not_listed')}</p>}
      <div class="sessions-wrap">
        <table class="sessions">
          <thead>
            <tr>
              <th scope="col">{t('sessions.device')}</th>
              <th scope="col">{t('sessions.ip')}</th>
              <th scope="col">{t('sessions.created')}</th>
              <th scope="col">{t('sessions.last_seen')}</th>
              <th scope="col">{t('sessions.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((session) => (
              <tr id={`session-${session.id}`} class={session.current ? 'current' : undefined} aria-current={session.current ? 'true' : undefined}>
                <td class="device" data-label={t('sessions.device')}>
                  {session.device}
                  {session.current && (
                    <>
                      {' '}
                      <strong>({t('sessions.this_one')})</strong>
                    </>
                  )}
                  {!session.persistent && (
                    <>
                      <br />
                      <small>{t('sessions.browser_session')}</small>
                    </>
                  )}
                </td>
                <td data-label={t('sessions.ip')}>{session.ip}</td>
                <td data-label={t('sessions.created')}>
                  <time datetime={session.createdIso}>{session.created}</time>
                </td>
                <td data-label={t('sessions.last_seen')}>
                  <time datetime={session.lastSeenIso}>{session.lastSeen}</time>
                </td>
                <td class="row-actions" data-label={t('sessions.actions')}>
                  <form method="post" action={`/accounts/sessions/${session.id}/revoke`} class="inline">
                    <CsrfInput />
                    <button type="submit" class="button button-danger-quiet">{session.current ? t('sessions.end_current') : t('sessions.revoke')}</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {(sessions.length > 1 || !othersListed) && (
        <form method="post" action="/accounts/sessions/revoke-others" class="page-action">
          <CsrfInput />
          <button type="submit" class="button button-danger">{t('sessions.revoke_others')}</button>
        </form>
      )}
      {activity.length > 0 && (
        <section aria-labelledby="activity-heading">
          <h2 id="activity-heading">{t('activity.title')}</h2>
          <div class="sessions-wrap">
            <table class="activity" id="activity">
              <thead>
                <tr>
                  <th scope="col">{t('activity.what')}</th>
                  <th scope="col">{t('sessions.device')}</th>
                  <th scope="col">{t('sessions.ip')}</th>
                  <th scope="col">{t('activity.when')}</th>
                </tr>
              </thead>
              <tbody>
                {activity.map((event) => (
                  <tr>
                    <td>{event.what}</td>
                    <td>{event.device}</td>
                    <td>{event.ip}</td>
                    <td>
                      <time datetime={event.whenIso}>{event.when}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </Layout>
  );
});
