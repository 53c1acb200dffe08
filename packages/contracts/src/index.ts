export * from "./events.ts";
export * from "./http/common.ts";
export * from "./http/orders.ts";
export * from "./http/payments.ts";
export * from "./money.ts";
export * from "./statuses.ts";
export * from "./topics.ts";
export * from "./validate.ts";
