// The limits of the site (and of the clients in front of it) that every answer is held to.

export const BODY_LIMIT = 1024 * 1024;
/** Node's own limit on a message's headers (and more than nginx's default proxy buffer of 4 or 8 KiB). */
export const MAX_HEADER_BYTES = 16 * 1024;
