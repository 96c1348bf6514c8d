// The contract every password hashing algorithm meets, so the facade can prefer one and still read the others.

/**
 * One password hashing algorithm, Django's BasePasswordHasher: `Passwords` hashes with one and
 * still reads the others.
 */
export interface PasswordHasher {
  /** the algorithm name at the start of the encoded hashes it makes or reads */
  readonly algorithm: string;
  /** true when this hasher can check `encoded` */
  handles(encoded: string): boolean;
  hash(password: string): Promise<string>;
  /** false (never a throw) for a wrong password or an encoding this hasher cannot read */
  verify(password: string, encoded: string): Promise<boolean>;
  /** true when `encoded` is weaker than or different from what hash() makes now */
  needsRehash(encoded: string): boolean;
}
