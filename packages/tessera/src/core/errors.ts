// The one catalogue of tessera's errors: every code is born here, with its HTTP status.

/** Every error code tessera raises, with its HTTP status and default message. */
export const errorCatalogue = {
  bad_request: { status: 400, message: 'The request is malformed.' },
  csrf_failed: { status: 403, message: 'CSRF verification failed. Request aborted.' },
  forbidden: { status: 403, message: 'You are not allowed to do this.' },
  not_found: { status: 404, message: 'There is nothing here.' },
  method_not_allowed: { status: 405, message: 'This method is not allowed here.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  invalid_form: { status: 422, message: 'The form has errors.' },
  too_many_requests: { status: 429, message: 'Too many attempts. Try again later.' },
  internal: { status: 500, message: 'Something went wrong on our side.' },
  unavailable: { status: 503, message: 'The service is temporarily unavailable.' },
  config_invalid: { status: 500, message: 'The configuration is invalid.' },
} as const satisfies Record<string, { status: number; message: string }>;

/** One of {@link errorCatalogue}'s codes. */
export type ErrorCode = keyof typeof errorCatalogue;

/**
 * An error with a stable code, its HTTP status and any headers it needs (`Retry-After`);
 * expected failures are return values, this is for the rest. Fastify's own error handler
 * answers it with its status, as it reads `statusCode` and `headers`.
 */
export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail?: string, headers: Record<string, string> = {}) {
    super(detail ?? errorCatalogue[code].message);
    this.name = 'TesseraError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.headers = headers;
  }

  /** the status under the name Fastify's default error handler reads */
  get statusCode(): number {
    return this.status;
  }
}
