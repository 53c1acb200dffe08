// One literal list per enum: schemas, TS types and the portal's filter options derive from these.
export const ORDER_STATUSES = ["PENDING", "PROCESSING", "SUCCESS", "FAILED"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_ORDER_STATUSES = ["SUCCESS", "FAILED"] as const satisfies readonly OrderStatus[];
export type TerminalOrderStatus = (typeof TERMINAL_ORDER_STATUSES)[number];

export const PAYMENT_STATUSES = ["SUCCESS", "FAILED"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
