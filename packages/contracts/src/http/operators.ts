import { type Static, Type } from "@sinclair/typebox";

/**
 * Operators' roles, least to most: a viewer reads; an operator also changes the sale (campaign
 * edits, closing the window, resolving finality holes, audits); an admin also manages operators.
 */
export const OPERATOR_ROLES = ["viewer", "operator", "admin"] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** Whether `role` may do what `needed` may. */
export function roleAtLeast(role: OperatorRole, needed: OperatorRole): boolean {
  return OPERATOR_ROLES.indexOf(role) >= OPERATOR_ROLES.indexOf(needed);
}

const Role = Type.Union(OPERATOR_ROLES.map((r) => Type.Literal(r)));
export const OperatorName = Type.String({ pattern: "^[a-z0-9][a-z0-9._-]{1,39}$", description: "lower-case letters, digits, . _ -; 2–40 characters" });
const Password = Type.String({ minLength: 12, maxLength: 200, description: "at least 12 characters" });

export const Operator = Type.Object({
  username: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  created_at: Type.String({ format: "date-time" }),
  updated_at: Type.String({ format: "date-time" }),
});
export type Operator = Static<typeof Operator>;

export const CreateOperatorBody = Type.Object({ username: OperatorName, password: Password, role: Role }, { additionalProperties: false });
export type CreateOperatorBody = Static<typeof CreateOperatorBody>;

export const UpdateOperatorBody = Type.Object(
  { role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()), password: Type.Optional(Password) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateOperatorBody = Static<typeof UpdateOperatorBody>;

export const OperatorNameParams = Type.Object({ username: OperatorName });
