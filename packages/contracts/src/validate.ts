import { FormatRegistry, type Static, type TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";

// TypeBox knows no string formats by itself; register the ones our schemas use.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
if (!FormatRegistry.Has("uuid")) FormatRegistry.Set("uuid", (v) => UUID.test(v));
if (!FormatRegistry.Has("date-time")) FormatRegistry.Set("date-time", (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));

export type Decoded<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Compiles a schema once into a decoder for untrusted input (a Kafka message, a file). */
export function decoderFor<S extends TSchema>(schema: S): (input: unknown) => Decoded<Static<S>> {
  const check = TypeCompiler.Compile(schema);
  return (input) => {
    if (check.Check(input)) return { ok: true, value: input as Static<S> };
    return { ok: false, errors: [...check.Errors(input)].slice(0, 5).map((e) => `${e.path || "/"}: ${e.message}`) };
  };
}
