import { DomainError, ERROR_STATUS, type ErrorBody } from "@spgroup/contracts";

/**
 * A refusal at the HTTP level itself: authentication, rate limits, back-pressure (a role too low for a
 * route is the DomainError FORBIDDEN_ROLE, which clients can branch on).
 * Expected failures of the business are DomainErrors (contracts), which carry a code, not a status.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly details: string[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(status: number, message: string, options: { details?: string[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.details = options.details;
    this.headers = options.headers;
  }
}

export interface ErrorReply {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

/**
 * The one place an expected failure becomes an answer: a DomainError's status comes from its code
 * (ERROR_STATUS), and the body keeps {error, code: <HTTP status>} and adds error_code. Anything
 * else is not expected here (undefined) and is left to the error handler's other branches.
 */
export function expectedErrorReply(error: unknown): ErrorReply | undefined {
  if (error instanceof DomainError) {
    const status = ERROR_STATUS[error.code];
    return { status, body: { error: error.message, code: status, error_code: error.code, ...(error.details ? { details: error.details } : {}) } };
  }
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: { error: error.message, code: error.status, ...(error.details ? { details: error.details } : {}) },
      ...(error.headers ? { headers: error.headers } : {}),
    };
  }
  return undefined;
}
