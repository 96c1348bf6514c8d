// One visitor's session for the length of a request: its data, and what must happen to it after.
import type { User } from '../users/user.ts';
import type { SessionData, SessionRecord } from './session-store.ts';
import type { SessionToken } from './token.ts';

/**
 * One visitor's session for the length of a request: Django's `request.session`. It only records changes;
 * the `SessionManager` writes them once the response is decided.
 */
export class Session {
  /** what the store held when the request began; null for a visitor with no session */
  readonly loaded: SessionRecord | null;
  /** the token from the cookie when it named a live session */
  readonly loadedToken: SessionToken | null;
  /** the request carried a sessionid cookie, valid or not */
  readonly hadCookie: boolean;
  #data: SessionData;
  #userId: number | null;
  #persistent: boolean;
  #modified = false;
  /** the loaded record must not be reused: the key was cycled or the session flushed */
  #replaced = false;

  constructor(loaded: SessionRecord | null, loadedToken: SessionToken | null, hadCookie: boolean) {
    this.loaded = loaded;
    this.loadedToken = loadedToken;
    this.hadCookie = hadCookie;
    this.#data = loaded ? { ...loaded.data } : {};
    this.#userId = loaded?.userId ?? null;
    this.#persistent = loaded?.persistent ?? true;
  }

  get<T = unknown>(key: string): T | undefined {
    return this.#data[key] as T | undefined;
  }

  set(key: string, value: unknown): void {
    this.#data[key] = value;
    this.#modified = true;
  }

  delete(key: string): void {
    if (key in this.#data) {
      delete this.#data[key];
      this.#modified = true;
    }
  }

  get data(): Readonly<SessionData> {
    return this.#data;
  }

  /** the public id of the session as stored now, or null when it has none yet */
  get id(): string | null {
    return this.#replaced ? null : (this.loaded?.id ?? null);
  }

  get userId(): number | null {
    return this.#userId;
  }

  set userId(value: number | null) {
    this.#userId = value;
    this.#modified = true;
  }

  /** the user the store read together with the session, if it did */
  get preloadedUser(): User<any> | null | undefined {
    return this.#replaced ? undefined : this.loaded?.user;
  }

  get persistent(): boolean {
    return this.#persistent;
  }

  /** true: the cookie lasts the session's lifetime; false: until the browser closes */
  setPersistent(persistent: boolean): void {
    this.#persistent = persistent;
    this.#modified = true;
  }

  get modified(): boolean {
    return this.#modified;
  }

  get isEmpty(): boolean {
    return this.#userId === null && Object.keys(this.#data).length === 0;
  }

  /** the loaded record is to be deleted and a new one, with a new token, written */
  get replaced(): boolean {
    return this.#replaced;
  }

  /** New token, same data: defeats session fixation at login. */
  cycleKey(): void {
    this.#replaced = true;
    this.#modified = true;
  }

  /** New token, no data: logout, or a session that no longer proves who it belongs to. */
  flush(): void {
    this.#data = {};
    this.#userId = null;
    this.#persistent = true;
    this.#replaced = true;
    this.#modified = true;
  }
}
