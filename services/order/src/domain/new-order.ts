import { type CreateOrderBody, DomainError, formatCents, MAX_AMOUNT, parseAmountCents } from "@spgroup/contracts";

export interface NewOrder {
  customerId: string;
  customerName: string;
  totalAmount: string;
}

const AMOUNT_MESSAGES = {
  NOT_A_DECIMAL: "total_amount must be a positive decimal number",
  TOO_MANY_DECIMALS: "total_amount must have at most 2 decimals",
  TOO_LARGE: `total_amount must be at most ${MAX_AMOUNT}`,
  NOT_POSITIVE: "total_amount must be greater than 0",
} as const;

/** A body the schema accepts but the order rules refuse (INVALID_ORDER). */
export class InvalidOrder extends DomainError {
  constructor(message: string) {
    super("INVALID_ORDER", message);
  }
}

/** The rules of a new order beyond its schema: a positive decimal(10,2) amount, a non-blank name. */
export function newOrderFrom(body: CreateOrderBody): NewOrder {
  const amount = parseAmountCents(body.total_amount);
  if (!amount.ok) throw new InvalidOrder(AMOUNT_MESSAGES[amount.reason]);
  const customerName = body.customer_name.trim();
  if (customerName === "") throw new InvalidOrder("customer_name must not be blank");
  return { customerId: body.customer_id, customerName, totalAmount: formatCents(amount.cents) };
}
