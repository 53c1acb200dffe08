/** An expected failure with its HTTP status; the app's error handler turns it into {error, code}. */
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

export const badRequest = (message: string, details?: string[]) => new HttpError(400, message, details ? { details } : {});
export const notFound = (message: string) => new HttpError(404, message);
export const conflict = (message: string) => new HttpError(409, message);
