import { pino } from "pino";

export type Logger = pino.Logger;

// Structured JSON logs; secrets are redacted wherever they might appear.
export function createLogger(service: string, level = "info"): Logger {
  return pino({
    level,
    base: { service },
    redact: {
      paths: ["req.headers.authorization", "headers.authorization", "password", "*.password", "token", "*.token"],
      censor: "[redacted]",
    },
  });
}
