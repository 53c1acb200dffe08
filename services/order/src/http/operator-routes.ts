import { CreateOperatorBody, Data, DomainError, ErrorBody, Operator, OperatorNameParams, UpdateOperatorBody } from "@spgroup/contracts";
import { hashPassword, type HttpApp, type Pool, recordActivity, withTransaction } from "@spgroup/platform";
import { Type } from "@sinclair/typebox";
import { insertOperator, listOperators, updateOperator } from "../db/operators.ts";

const security = [{ admin: [] }];
const tags = ["operators"];
// Managing operators is an admin's: the role every route here needs.
const config = { role: "admin" as const };

/** Operators of the admin portal: list, create, change role, disable, reset a password (admin role). */
export function operatorRoutes(app: HttpApp, db: Pool, configuredAdmin: string): void {
  const actorOf = (request: { operator?: { name: string; role: "viewer" | "operator" | "admin" } }) => request.operator ?? { name: "unknown operator", role: "admin" as const };
  app.get(
    "/api/admin/v1/operators",
    { config, schema: { tags, security, summary: "Every operator with their role (the configured admin is not listed)", response: { 200: Data(Type.Array(Operator)) } } },
    async () => ({ data: await listOperators(db) }),
  );

  app.post(
    "/api/admin/v1/operators",
    { config, schema: { tags, security, summary: "Create an operator (viewer, operator or admin)", body: CreateOperatorBody, response: { 201: Data(Operator), 400: ErrorBody, 409: ErrorBody } } },
    async (request, reply) => {
      if (request.body.username === configuredAdmin) throw new DomainError("OPERATOR_EXISTS", `${configuredAdmin} is the configured admin (ADMIN_USERNAME)`);
      const passwordHash = await hashPassword(request.body.password);
      const created = await withTransaction(db, async (client) => {
        const row = await insertOperator(client, { username: request.body.username, role: request.body.role, passwordHash, createdBy: actorOf(request).name });
        if (!row) throw new DomainError("OPERATOR_EXISTS", `operator ${request.body.username} exists already`);
        await recordActivity(client, { actor: actorOf(request), action: "operator.create", target: `operator ${row.username}`, before: null, after: { role: row.role, disabled: row.disabled } });
        return row;
      });
      request.log.warn({ operator: request.operator?.name, created: created.username, role: created.role }, "operator created");
      return reply.code(201).send({ data: created });
    },
  );

  app.put(
    "/api/admin/v1/operators/:username",
    {
      config,
      schema: {
        tags,
        security,
        summary: "Change an operator's role, disable or enable them, or set a new password",
        params: OperatorNameParams,
        body: UpdateOperatorBody,
        response: { 200: Data(Operator), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { role, disabled, password } = request.body;
      const passwordHash = password ? await hashPassword(password) : undefined;
      const updated = await withTransaction(db, async (client) => {
        const before = (await client.query<{ role: string; disabled: boolean }>("SELECT role, disabled FROM operators WHERE username = $1 FOR UPDATE", [request.params.username])).rows[0];
        if (!before) throw new DomainError("NOT_FOUND", `operator ${request.params.username} not found`);
        const row = (await updateOperator(client, request.params.username, { ...(role ? { role } : {}), ...(disabled === undefined ? {} : { disabled }), ...(passwordHash ? { passwordHash } : {}) })) as NonNullable<Awaited<ReturnType<typeof updateOperator>>>;
        // A password is never logged, only that it was reset.
        await recordActivity(client, {
          actor: actorOf(request),
          action: "operator.change",
          target: `operator ${row.username}`,
          before,
          after: { role: row.role, disabled: row.disabled, ...(password ? { password: "reset" } : {}) },
        });
        return row;
      });
      request.log.warn({ operator: request.operator?.name, changed: updated.username, role: updated.role, disabled: updated.disabled, password: password ? "reset" : undefined }, "operator changed");
      return { data: updated };
    },
  );
}
