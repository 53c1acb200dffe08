import { type Static, type TInteger, type TSchema, Type } from "@sinclair/typebox";
import { ERROR_CODES, type ErrorCode } from "../errors.ts";
import { AMOUNT_PATTERN, MAX_AMOUNT } from "../money.ts";

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: "What went wrong, for a human" }),
    code: Type.Integer({ description: "The HTTP status code" }),
    // A string with an enum (not a union of literals): serialised as plain text, typed as ErrorCode.
    error_code: Type.Optional(
      Type.Unsafe<ErrorCode>(
        Type.String({ enum: [...ERROR_CODES], description: "Which expected failure, to branch on (a role too low for the route is FORBIDDEN_ROLE); absent on HTTP-level refusals (no or a bad token, rate limit, malformed request, unavailable)" }),
      ),
    ),
    details: Type.Optional(Type.Array(Type.String())),
  },
  { $id: "ErrorBody" },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** One integer count per value of a literal list (stats totals per status): the schema follows the enum. */
export function CountsOf<const T extends readonly string[]>(values: T) {
  return Type.Object(Object.fromEntries(values.map((v) => [v, Type.Integer()])) as { [K in T[number]]: TInteger });
}

export const PageMetadata = Type.Object({
  total: Type.Integer(),
  page_size: Type.Integer(),
  page_number: Type.Integer(),
  total_pages: Type.Integer(),
});
export type PageMetadata = Static<typeof PageMetadata>;

export function Page<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item), metadata: PageMetadata });
}

export function Data<T extends TSchema>(item: T) {
  return Type.Object({ data: item });
}

export const AmountInput = Type.Union([Type.Number(), Type.String({ maxLength: 32 })], {
  description: `Positive amount with at most 2 decimals, at most ${MAX_AMOUNT} (decimal(10,2))`,
});
export const AmountText = Type.String({ pattern: AMOUNT_PATTERN, maxLength: MAX_AMOUNT.length });
export const SortParam = Type.String({
  pattern: "^-?[a-z_]{1,40}(,-?[a-z_]{1,40}){0,5}$",
  description: "Comma list of columns, '-' for descending, e.g. -created_at,total_amount",
});
export const PAGE_SIZE_MAX = 200;
export const PageParams = {
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
  size: Type.Integer({ minimum: 1, maximum: PAGE_SIZE_MAX, default: 20 }),
  sort: Type.Optional(SortParam),
  created_from: Type.Optional(Type.String({ format: "date-time" })),
  created_to: Type.Optional(Type.String({ format: "date-time" })),
  min_amount: Type.Optional(AmountText),
  max_amount: Type.Optional(AmountText),
};
export const CustomerId = Type.String({ minLength: 1, maxLength: 20, pattern: "^[A-Za-z0-9_.:-]+$" });
export const RecordId = Type.String({ minLength: 1, maxLength: 20, pattern: "^[A-Za-z0-9_-]+$" });
