// One closed list of the expected failures a client can meet. Clients and the portal branch on
// `error_code`, never on the message text, which is for a human and may change.
export const ERROR_CODES = [
  // Orders
  "INVALID_ORDER",
  "IDEMPOTENCY_KEY_REUSED",
  // Campaign settings and windows
  "BLANK_NAME",
  "INVALID_INSTANT",
  "EMPTY_WINDOW",
  "REWARD_ABOVE_TRACKED",
  "INVALID_MINIMUM",
  "END_TIME_IN_THE_PAST",
  "WINDOW_BEFORE_HISTORY",
  // Campaign lifecycle
  "CAMPAIGN_ALREADY_OPEN",
  "CAMPAIGN_FINAL",
  "CAMPAIGN_NOT_ACTIVE",
  "CAMPAIGN_NOT_FINAL",
  // Finality holes
  "BLANK_REASON",
  // Operators
  "FORBIDDEN_ROLE",
  "OPERATOR_EXISTS",
  // Refunds and dead letters
  "ALREADY_SETTLED",
  "NOT_REPLAYABLE",
  "IN_PROGRESS",
  // Any service
  "NOT_FOUND",
  "INVALID_SORT",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The HTTP status each code is answered with: part of the contract, applied in one place (the
 * platform's error handler). `satisfies` makes a code without a status a type error.
 */
export const ERROR_STATUS = {
  INVALID_ORDER: 400,
  IDEMPOTENCY_KEY_REUSED: 409,
  BLANK_NAME: 400,
  INVALID_INSTANT: 400,
  EMPTY_WINDOW: 400,
  REWARD_ABOVE_TRACKED: 400,
  INVALID_MINIMUM: 400,
  END_TIME_IN_THE_PAST: 400,
  WINDOW_BEFORE_HISTORY: 400,
  CAMPAIGN_ALREADY_OPEN: 409,
  CAMPAIGN_FINAL: 409,
  CAMPAIGN_NOT_ACTIVE: 409,
  CAMPAIGN_NOT_FINAL: 409,
  BLANK_REASON: 400,
  FORBIDDEN_ROLE: 403,
  OPERATOR_EXISTS: 409,
  ALREADY_SETTLED: 409,
  NOT_REPLAYABLE: 409,
  IN_PROGRESS: 409,
  NOT_FOUND: 404,
  INVALID_SORT: 400,
} as const satisfies Record<ErrorCode, 400 | 403 | 404 | 409>;

/**
 * An expected failure, thrown by domain rules, use cases and queries alike; none of them knows
 * HTTP. Subclasses name a family (InvalidOrder, InvalidCampaign) and narrow the code.
 */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: string[] | undefined;

  constructor(code: ErrorCode, message: string, details?: string[]) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}
