import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "./stream-json.ts";

describe("csvCell", () => {
  it("quotes every cell, doubles quotes and leaves null empty", () => {
    expect(csvCell('say "hi", then go')).toBe('"say ""hi"", then go"');
    expect(csvCell(null)).toBe('""');
    expect(csvCell(undefined)).toBe('""');
    expect(csvCell(12.5)).toBe('"12.5"');
  });

  it("neutralises text a spreadsheet would run as a formula, tab and carriage return included", () => {
    for (const lead of ["=", "+", "-", "@", "\t", "\r"]) expect(csvCell(`${lead}HYPERLINK("x")`)).toBe(`"'${lead}HYPERLINK(""x"")"`);
    expect(csvCell("Ann = Bob")).toBe('"Ann = Bob"');
  });

  it("writes a line of the given columns in order", () => {
    expect(csvLine({ b: 2, a: "=1", c: null }, ["a", "b", "c"])).toBe(`"'=1","2",""\n`);
  });
});
