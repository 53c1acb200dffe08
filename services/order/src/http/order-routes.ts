import { CreateOrderBody, Data, DomainError, ErrorBody, Order, OrderIdParams } from "@spgroup/contracts";
import { type AdminAuth, type CustomerAuth, type HttpApp, HttpError, logicalShardOfId, type Shards } from "@spgroup/platform";
import { Type } from "@sinclair/typebox";
import { type PlaceOrderContext, placeOrder } from "../app/place-order.ts";
import { findOrder } from "../db/orders.ts";
import { newOrderFrom } from "../domain/new-order.ts";

const IdempotencyHeaders = Type.Object({
  "idempotency-key": Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: "^[\\x21-\\x7e]+$" })),
});

export interface OrderRouteOptions {
  ordersPerCustomerPerMinute: number;
  /** undefined: trusted-gateway mode, the customer was authenticated in front of us. */
  customerAuth: CustomerAuth | undefined;
  adminAuth: AdminAuth;
}

/** `shards`: each order database's context; an order goes to its customer's, and is found by its id. */
export function orderRoutes(app: HttpApp, shards: Shards<PlaceOrderContext>, options: OrderRouteOptions): void {
  const { customerAuth, adminAuth } = options;
  /** The customer the request's token proves; 401 without a valid one. */
  const signedInCustomer = async (authorization: string | undefined, auth: CustomerAuth) => {
    const customer = await auth.verify(authorization);
    if (!customer) throw new HttpError(401, "customer token required (Authorization: Bearer …)", { headers: { "www-authenticate": "Bearer" } });
    return customer;
  };
  // Per customer: counted only once the token is verified (an anonymous request naming a customer
  // must not use up her quota), keyed by the verified subject. In trusted-gateway mode the gateway
  // vouches for the body's customer_id. Anonymous traffic stays under the per-address limit that
  // every request meets first (an app-level hook of the platform, before any route's hooks).
  const perCustomer = app.createRateLimit({ max: options.ordersPerCustomerPerMinute, timeWindow: 60_000, keyGenerator: (request) => `customer:${verifiedCustomer.get(request)}` });
  const verifiedCustomer = new WeakMap<object, string>();
  app.post(
    "/api/v1/orders",
    {
      // Before the body is even parsed: who is asking.
      onRequest: async (request) => {
        if (customerAuth) verifiedCustomer.set(request, await signedInCustomer(request.headers.authorization, customerAuth));
      },
      preHandler: async (request) => {
        const customer = verifiedCustomer.get(request);
        if (customer !== undefined && customer !== request.body.customer_id) throw new HttpError(403, "customer_id must be the signed-in customer");
        if (customer === undefined) verifiedCustomer.set(request, request.body.customer_id);
        const limit = await perCustomer(request);
        if (!limit.isAllowed && limit.isExceeded) {
          const seconds = Math.max(1, Math.ceil(limit.ttl / 1000));
          throw new HttpError(429, `too many requests for this customer; retry in ${seconds} s`, { headers: { "retry-after": String(seconds) } });
        }
      },
      schema: {
        tags: ["orders"],
        summary: "Place an order; payment follows asynchronously",
        body: CreateOrderBody,
        headers: IdempotencyHeaders,
        response: { 202: Data(Order), 200: Data(Order), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const placed = await placeOrder(shards.forCustomer(request.body.customer_id), newOrderFrom(request.body), request.headers["idempotency-key"], request.traceparent);
      request.log.debug({ orderId: placed.order.id }, "order placed");
      return reply.code(placed.created ? 202 : 200).send({ data: placed.order });
    },
  );

  app.get(
    "/api/v1/orders/:id",
    {
      schema: {
        tags: ["orders"],
        summary: "One order and its status, for its customer or an operator",
        params: OrderIdParams,
        response: { 200: Data(Order), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      // Who is asking is settled before the order is read (an operator's token may consult the operator directory).
      const operator = customerAuth ? await adminAuth.verify(request.headers.authorization) : undefined;
      const customer = customerAuth && !operator ? await signedInCustomer(request.headers.authorization, customerAuth) : undefined;
      const order = await shards.find(logicalShardOfId(request.params.id), (ctx) => findOrder(ctx.pool, request.params.id));
      // A customer sees their own orders only; someone else's is as good as unknown.
      if (!order || (customer !== undefined && order.customer_id !== customer)) throw new DomainError("NOT_FOUND", `order ${request.params.id} not found`);
      return { data: order };
    },
  );
}
