/**
 * The payment provider, seen from the payment service. Charges are idempotent per order id,
 * refunds per payment id: asking again gives the same answer and moves no more money.
 */
export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  /**
   * The outcome of a charge already made for this order, without making one (a provider's lookup
   * by idempotency key); undefined when it was never charged. Asked for an order past its payment
   * deadline: its charge may have been approved before a crash or a database outage kept the
   * payment from being recorded, and that money must be recorded (and then refunded), not lost.
   */
  earlierCharge(orderId: string): Promise<ChargeOutcome | undefined>;
  /** Gives back a successful charge in full (a void if it has not settled yet). */
  refund(request: RefundRequest): Promise<RefundOutcome>;
}

export interface ChargeRequest {
  orderId: string;
  customerId: string;
  amountCents: number;
}

export type ChargeOutcome = { approved: true } | { approved: false; reason: string };

export interface RefundRequest {
  paymentId: string;
  orderId: string;
  amountCents: number;
}

export type RefundOutcome = { refunded: true; refundId: string } | { refunded: false; reason: string };
