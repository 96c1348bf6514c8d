// A guest's reading list in the signed reading_list cookie: no session, no row, nothing to forge.
import { Signer } from 'tessera';

export const guestListLimit = 50;

export class GuestReadingList {
  readonly #signer: Signer;

  constructor(secretKey: string) {
    this.#signer = new Signer(secretKey, 'reading_list');
  }

  /** The ids in the cookie, most recent first; anything tampered with or malformed reads as empty. */
  read(cookie: string | undefined): number[] {
    const value = this.#signer.unsign(cookie);
    if (value === null || value === '') return [];
    const ids: number[] = [];
    for (const part of value.split('-')) {
      if (!/^[1-9][0-9]{0,15}$/.test(part)) return [];
      const id = Number(part);
      if (!Number.isSafeInteger(id)) return [];
      if (!ids.includes(id)) ids.push(id);
    }
    return ids.slice(0, guestListLimit);
  }

  write(ids: readonly number[]): string {
    return this.#signer.sign(ids.slice(0, guestListLimit).join('-'));
  }

  /** The list with `id` at the front; when full, the oldest falls off. */
  static withSaved(ids: readonly number[], id: number): number[] {
    return [id, ...ids.filter((other) => other !== id)].slice(0, guestListLimit);
  }

  static withoutSaved(ids: readonly number[], id: number): number[] {
    return ids.filter((other) => other !== id);
  }
}
