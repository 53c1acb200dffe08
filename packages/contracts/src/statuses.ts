// One literal list per enum: schemas, TS types and the portal's filter options derive from these.
export const ORDER_STATUSES = ["PENDING", "PROCESSING", "SUCCESS", "FAILED"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_ORDER_STATUSES = ["SUCCESS", "FAILED"] as const satisfies readonly OrderStatus[];
export type TerminalOrderStatus = (typeof TERMINAL_ORDER_STATUSES)[number];

/** What a charge can end in: the status a PaymentCompleted carries. */
export const PAYMENT_RESULT_STATUSES = ["SUCCESS", "FAILED"] as const;
export type PaymentResultStatus = (typeof PAYMENT_RESULT_STATUSES)[number];

/** A payment's status: its charge result, or REFUNDED once a SUCCESS was given back. */
export const PAYMENT_STATUSES = [...PAYMENT_RESULT_STATUSES, "REFUNDED"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
