import { type Static, Type } from "@sinclair/typebox";

/** What one service instance says of itself on the operators' System page. */
export const SystemStatus = Type.Object({
  service: Type.String(),
  instance: Type.String({ description: "host and process id of the instance that answered" }),
  uptime_seconds: Type.Number(),
  ready: Type.Boolean(),
  checks: Type.Record(Type.String(), Type.Boolean(), { description: "each readiness check: database, kafka, consuming" }),
  consumer: Type.Union([
    Type.Object({
      group: Type.String(),
      partitions: Type.Array(
        Type.Object({
          topic: Type.String(),
          partition: Type.Integer(),
          end: Type.String({ description: "log end offset" }),
          committed: Type.Union([Type.String(), Type.Null()], { description: "the group's committed offset; null: none yet" }),
          lag: Type.Integer(),
        }),
      ),
      error: Type.Optional(Type.String()),
    }),
    Type.Null(),
  ]),
  databases: Type.Array(
    Type.Object({
      name: Type.String(),
      reachable: Type.Boolean(),
      size_bytes: Type.Union([Type.Integer(), Type.Null()]),
      outbox_backlog: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
  kafka: Type.Object({
    cluster_id: Type.Union([Type.String(), Type.Null()]),
    controller_id: Type.Union([Type.Integer(), Type.Null()]),
    brokers: Type.Array(Type.Object({ id: Type.Integer(), host: Type.String(), port: Type.Integer() })),
    error: Type.Optional(Type.String()),
  }),
});
export type SystemStatus = Static<typeof SystemStatus>;
