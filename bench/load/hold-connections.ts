// A load-generator process: opens `connections` keep-alive HTTP/1.1 connections (spread over
// several loopback source addresses, each with its own ephemeral-port range), holds them, and on
// "GO" places orders on randomly chosen idle connections at an open-model arrival rate: every
// connection is a customer who thinks, then orders. Raw sockets with a minimal response parser:
// ~1 KB of state per connection, so one process holds tens of thousands.
import { connect, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { customerHeaders } from "@spgroup/infra/testing";

interface Options {
  host: string;
  port: number;
  connections: number;
  sources: string[];
  connectPerSecond: number;
  ordersPerSecond: number;
  seconds: number;
  worker: number;
}
const o: Options = JSON.parse(process.argv[2] ?? "{}");
const send = (message: object) => new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(message)}\n`, () => resolve()));

class Customer {
  readonly socket: Socket;
  busy = false;
  open = false;
  #buffer: Buffer = Buffer.alloc(0);
  readonly id: string;
  /** The customer's session token, from signing in when the connection opened. */
  authorization = "";
  #started = 0;
  #done: ((status: number) => void) | undefined;

  constructor(id: string, source: string) {
    this.id = id;
    this.socket = connect({ host: o.host, port: o.port, localAddress: source });
    this.socket.setNoDelay(true);
    // A customer's app opens its session with a request: Node closes a connection that never
    // sent one after headersTimeout, while one in keep-alive lives for keepAliveTimeout.
    this.socket.on("connect", () => {
      this.busy = true;
      this.#done = (status) => {
        this.#done = undefined;
        this.busy = false;
        this.open = status === 200;
      };
      this.socket.write(`GET /health HTTP/1.1\r\nhost: ${o.host}\r\n\r\n`);
    });
    this.socket.on("data", (chunk) => this.#read(chunk));
    this.socket.on("error", () => {});
    this.socket.on("close", () => {
      this.open = false;
      this.#done?.(0);
    });
  }

  order(amount: string): Promise<{ status: number; ms: number }> {
    this.busy = true;
    this.#started = performance.now();
    const body = `{"customer_id":"${this.id}","customer_name":"Customer ${this.id}","total_amount":"${amount}"}`;
    this.socket.write(
      `POST /api/v1/orders HTTP/1.1\r\nhost: ${o.host}\r\nauthorization: ${this.authorization}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    return new Promise((resolve) => {
      this.#done = (status) => {
        this.#done = undefined;
        this.busy = false;
        resolve({ status, ms: performance.now() - this.#started });
      };
    });
  }

  #read(chunk: Buffer) {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const end = this.#buffer.indexOf("\r\n\r\n");
    if (end < 0) return;
    const head = this.#buffer.subarray(0, end).toString("latin1");
    const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.#buffer.length < end + 4 + length) return;
    const status = Number(head.slice(9, 12));
    this.#buffer = this.#buffer.subarray(end + 4 + length);
    this.#done?.(status);
  }
}

const customers: Customer[] = [];
for (let i = 0; i < o.connections; i++) {
  const customer = new Customer(`w${o.worker}c${i}`, o.sources[i % o.sources.length] as string);
  customer.authorization = (await customerHeaders(customer.id)).authorization;
  customers.push(customer);
  if (i % Math.max(1, Math.floor(o.connectPerSecond / 100)) === 0) await sleep(10);
}
for (let waited = 0; customers.some((c) => !c.open) && waited < 60_000; waited += 200) await sleep(200);
await send({ type: "connected", open: customers.filter((c) => c.open).length });

await new Promise<void>((resolve) => {
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line === "GO") resolve();
  });
});

const latencies: number[] = [];
const series: { second: number; sent: number; accepted: number; errors: number; p99: number }[] = [];
let accepted = 0;
let errors = 0;
const errorStatuses: Record<string, number> = {};
let busySkipped = 0;
const started = performance.now();
const total = Math.round(o.ordersPerSecond * o.seconds);
const inflight: Promise<void>[] = [];
let bucket = { sent: 0, accepted: 0, errors: 0, lat: [] as number[] };
let second = 0;
const closeBucket = () => {
  const sorted = bucket.lat.sort((a, b) => a - b);
  series.push({ second, sent: bucket.sent, accepted: bucket.accepted, errors: bucket.errors, p99: sorted[Math.floor(sorted.length * 0.99)] ?? 0 });
  bucket = { sent: 0, accepted: 0, errors: 0, lat: [] };
  second++;
};
for (let i = 0; i < total; i++) {
  const due = started + (i * 1000) / o.ordersPerSecond;
  const wait = due - performance.now();
  if (wait > 1) await sleep(wait);
  while (performance.now() - started >= (second + 1) * 1000) closeBucket();
  let customer = customers[Math.floor(Math.random() * customers.length)] as Customer;
  for (let tries = 0; (customer.busy || !customer.open) && tries < 20; tries++) customer = customers[Math.floor(Math.random() * customers.length)] as Customer;
  if (customer.busy || !customer.open) {
    busySkipped++;
    continue;
  }
  bucket.sent++;
  const b = bucket;
  inflight.push(
    customer.order(`${(150 + Math.random() * 200).toFixed(2)}`).then(({ status, ms }) => {
      latencies.push(Math.round(ms * 100) / 100);
      b.lat.push(ms);
      if (status === 202) {
        accepted++;
        b.accepted++;
      } else {
        errors++;
        b.errors++;
        errorStatuses[status] = (errorStatuses[status] ?? 0) + 1;
      }
    }),
  );
  if (inflight.length > 5_000) await Promise.all(inflight.splice(0, inflight.length));
}
await Promise.all(inflight);
closeBucket();
// Exit only once the (large) report is flushed: process.exit would cut an unfinished pipe write.
await send({
  type: "report",
  worker: o.worker,
  connections_opened: o.connections,
  connections_open_at_end: customers.filter((c) => c.open).length,
  accepted,
  errors,
  error_statuses: errorStatuses,
  skipped_busy: busySkipped,
  latencies,
  series,
});
for (const c of customers) c.socket.destroy();
process.exit(0);
