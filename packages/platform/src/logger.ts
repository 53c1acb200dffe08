import { pino } from "pino";

export type Logger = pino.Logger;

// Structured JSON logs; secrets are redacted wherever they might appear. To standard output, or
// appended to `file` (LOG_FILE) when one is given: the tests keep each service's log so.
export function createLogger(service: string, level = "info", file = ""): Logger {
  const options = {
    level,
    base: { service },
    redact: {
      paths: ["req.headers.authorization", "headers.authorization", "password", "*.password", "token", "*.token"],
      censor: "[redacted]",
    },
  };
  return file ? pino(options, pino.destination({ dest: file, mkdir: true, append: true, sync: false })) : pino(options);
}
