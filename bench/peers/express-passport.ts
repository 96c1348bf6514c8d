// Peer: express 5 + express-session + passport + passport-local, the way a typical app wires them.
// Sessions live in SQLite (better-sqlite3-session-store over better-sqlite3), users in a SQLite
// table, passwords hashed with bcryptjs at its default cost (10). deserializeUser reads the user
// from SQLite on every request, as the passport docs show. Its pages are pages.ts's template
// literals; the profile form sends an anonymous visitor to the login page, as the site does.
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import Database from 'better-sqlite3';
import SqliteStoreFactory from 'better-sqlite3-session-store';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { emailOf, htmlType, packageVersions, runPeer, tuneSqlite, type PeerSettings } from './common.ts';
import { homePage, profileLoginRedirect, profilePage } from './pages.ts';

const bcryptCost = 10; // bcryptjs's own default (genSalt() with no rounds)
const sessionSecret = 'bench-express-session-secret-0123456789abcdef';

interface UserRow {
  id: number;
  username: string;
  password: string;
}

declare global {
  namespace Express {
    interface User {
      id: number;
      username: string;
      email: string;
      firstName: string;
      lastName: string;
    }
  }
}

function open(s: PeerSettings): Database.Database {
  return tuneSqlite(new Database(join(s.dataDir, 'express-passport.sqlite3')));
}

function setup(s: PeerSettings): void {
  const db = open(s);
  db.exec(`CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    password TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT ''
  )`);
  // The store creates its own table too, but creating it here keeps workers from racing on it.
  db.exec('CREATE TABLE IF NOT EXISTS sessions (sid TEXT NOT NULL PRIMARY KEY, sess JSON NOT NULL, expire TEXT NOT NULL)');
  db.close();
}

async function serve(s: PeerSettings): Promise<() => Promise<void>> {
  const db = open(s);
  const byName = db.prepare<[string], UserRow>('SELECT id, username, password FROM users WHERE username = ?');
  const byId = db.prepare<[number], Express.User>('SELECT id, username, email, first_name AS firstName, last_name AS lastName FROM users WHERE id = ?');
  const insert = db.prepare<[string, string, string]>('INSERT INTO users (username, password, email) VALUES (?, ?, ?)');

  passport.use(
    new LocalStrategy((username, password, done) => {
      const row = byName.get(username);
      if (!row) return done(null, false);
      bcrypt.compare(password, row.password).then(
        (ok) => done(null, ok ? { id: row.id, username: row.username, email: '', firstName: '', lastName: '' } : false),
        (error: unknown) => done(error),
      );
    }),
  );
  passport.serializeUser((user, done) => done(null, user.id));
  passport.deserializeUser((id: number, done) => {
    try {
      done(null, byId.get(id) ?? false);
    } catch (error) {
      done(error);
    }
  });

  const SqliteStore = SqliteStoreFactory(session);
  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false }));
  app.use(
    session({
      store: new SqliteStore({ client: db, expired: { clear: true, intervalMs: 900_000 } }),
      secret: sessionSecret,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.use(passport.initialize());
  app.use(passport.session());

  app.post('/bench/signup', (req, res, next) => {
    const { username, password } = req.body as Record<string, string | undefined>;
    if (!username || !password) return void res.status(400).send('username and password are required');
    bcrypt.hash(password, bcryptCost).then((hash) => {
      try {
        insert.run(username, hash, emailOf(username));
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return void res.status(409).send('taken');
        throw error;
      }
      res.status(201).send('created');
    }, next);
  });
  // passport-local's strategy, then req.logIn (passport regenerates the session on login).
  app.post('/bench/login', passport.authenticate('local'), (_req, res) => {
    res.status(200).send('logged in');
  });
  app.get('/bench/hash-params', (_req, res) => {
    res.json({ algorithm: 'bcrypt', implementation: 'bcryptjs (pure JavaScript)', cost: bcryptCost });
  });
  const versions = packageVersions(['express', 'express-session', 'passport', 'passport-local', 'better-sqlite3-session-store', 'better-sqlite3', 'bcryptjs']);
  app.get('/bench/versions', (_req, res) => {
    res.json(versions);
  });
  app.get('/', (req, res) => {
    res.type(htmlType).send(homePage(req.user?.username));
  });
  app.get('/accounts/update', (req, res) => {
    if (!req.user) return void res.redirect(302, profileLoginRedirect);
    res.type(htmlType).send(profilePage(req.user));
  });

  const server = app.listen(s.port, s.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    db.close();
  };
}

await runPeer(setup, serve);
