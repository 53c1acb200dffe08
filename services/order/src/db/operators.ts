import type { Operator, OperatorRole } from "@spgroup/contracts";
import type { Queryable } from "@spgroup/platform";

const VIEW = "username, role, disabled, created_at, updated_at";

export async function listOperators(db: Queryable): Promise<Operator[]> {
  return (await db.query<Operator>(`SELECT ${VIEW} FROM operators ORDER BY username`)).rows;
}

export async function findOperatorCredentials(db: Queryable, username: string): Promise<{ passwordHash: string; role: OperatorRole; disabled: boolean } | undefined> {
  const { rows } = await db.query<{ password_hash: string; role: OperatorRole; disabled: boolean }>("SELECT password_hash, role, disabled FROM operators WHERE username = $1", [username]);
  const row = rows[0];
  return row ? { passwordHash: row.password_hash, role: row.role, disabled: row.disabled } : undefined;
}

/** Inserts an operator; undefined when the name is taken. */
export async function insertOperator(db: Queryable, o: { username: string; role: OperatorRole; passwordHash: string; createdBy: string }): Promise<Operator | undefined> {
  const { rows } = await db.query<Operator>(
    `INSERT INTO operators (username, role, password_hash, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT (username) DO NOTHING RETURNING ${VIEW}`,
    [o.username, o.role, o.passwordHash, o.createdBy],
  );
  return rows[0];
}

/** Changes what is given; undefined when there is no such operator. */
export async function updateOperator(db: Queryable, username: string, change: { role?: OperatorRole; disabled?: boolean; passwordHash?: string }): Promise<Operator | undefined> {
  const { rows } = await db.query<Operator>(
    `UPDATE operators SET role = coalesce($2, role), disabled = coalesce($3, disabled), password_hash = coalesce($4, password_hash), updated_at = now()
     WHERE username = $1 RETURNING ${VIEW}`,
    [username, change.role ?? null, change.disabled ?? null, change.passwordHash ?? null],
  );
  return rows[0];
}
