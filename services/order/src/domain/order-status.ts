import type { OrderStatus, PaymentStatus, TerminalOrderStatus } from "@spgroup/contracts";

// An order is inserted as PROCESSING: its payment request is committed in the same transaction,
// so there is no moment at which it waits for anything but the payment (docs/decisions/001).
export const INITIAL_STATUS: OrderStatus = "PROCESSING";

/** Statuses from which a payment result or the payment timeout may still move an order. */
export const AWAITING_PAYMENT = ["PENDING", "PROCESSING"] as const satisfies readonly OrderStatus[];

export class IllegalTransition extends Error {
  readonly from: OrderStatus;
  readonly to: OrderStatus;
  constructor(from: OrderStatus, to: OrderStatus) {
    super(`an order cannot go from ${from} to ${to}`);
    this.from = from;
    this.to = to;
  }
}

export function isAwaitingPayment(status: OrderStatus): boolean {
  return (AWAITING_PAYMENT as readonly OrderStatus[]).includes(status);
}

/** The terminal status a payment result stands for. */
export function statusForPayment(payment: PaymentStatus): TerminalOrderStatus {
  return payment === "SUCCESS" ? "SUCCESS" : "FAILED";
}

/** The status a payment result moves an order to; a terminal order never moves again. */
export function statusAfterPayment(current: OrderStatus, payment: PaymentStatus): TerminalOrderStatus {
  const next = statusForPayment(payment);
  if (!isAwaitingPayment(current)) throw new IllegalTransition(current, next);
  return next;
}

/** The status an unpaid order gets when its payment timeout expires. */
export function statusAfterTimeout(current: OrderStatus): TerminalOrderStatus {
  if (!isAwaitingPayment(current)) throw new IllegalTransition(current, "FAILED");
  return "FAILED";
}
