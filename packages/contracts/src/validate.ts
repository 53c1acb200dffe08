import { FormatRegistry, type Static, type StringOptions, type TSchema, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";

// TypeBox knows no string formats by itself; register the ones our schemas use.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
if (!FormatRegistry.Has("uuid")) FormatRegistry.Set("uuid", (v) => UUID.test(v));
if (!FormatRegistry.Has("date-time")) FormatRegistry.Set("date-time", (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));

// One character as PostgreSQL's varchar(n) and Ajv count it: a code point. A surrogate pair is
// one match with or without the RegExp `u` flag (Ajv sets it, TypeBox's compiler does not), and
// the alternatives never overlap, so a long input cannot make the pattern backtrack. Control
// characters and unpaired surrogates are no characters of a name: PostgreSQL cannot store NUL in
// text nor an unpaired surrogate in jsonb (the outbox), so they would fail after validation.
const CODE_POINT = "(?:[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[^\\u0000-\\u001F\\u007F\\uD800-\\uDFFF])";

/**
 * A string of min..max characters (code points), judged alike at the HTTP edge (Ajv) and the
 * event edge (TypeBox). Not minLength/maxLength: Ajv counts those in code points, TypeBox in
 * UTF-16 units, so a name of 60 emoji would be accepted by POST and refused in its event.
 */
export function codePointString(min: number, max: number, options: StringOptions = {}) {
  return Type.String({ pattern: `^${CODE_POINT}{${min},${max}}$`, ...options });
}

/** A customer's name, as orders store it (varchar(100)) and as events carry it. */
export const CustomerName = codePointString(1, 100, { description: "1 to 100 characters" });

export type Decoded<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Compiles a schema once into a decoder for untrusted input (a Kafka message, a file). */
export function decoderFor<S extends TSchema>(schema: S): (input: unknown) => Decoded<Static<S>> {
  const check = TypeCompiler.Compile(schema);
  return (input) => {
    if (check.Check(input)) return { ok: true, value: input as Static<S> };
    return { ok: false, errors: [...check.Errors(input)].slice(0, 5).map((e) => `${e.path || "/"}: ${e.message}`) };
  };
}
