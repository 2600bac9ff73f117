import { describe, expect, it } from "vitest";
import { readJson, readJsonOrNull } from "./authed-route";

const put = (body: string) => new Request("http://127.0.0.1/api/v1/x", { method: "PUT", body });

describe("reading a JSON body", () => {
  it("takes a literal null as none where a route allows it (removing a configured baseline), and nowhere else", async () => {
    expect(await readJsonOrNull(put("null"))).toBeNull();
    await expect(readJson(put("null"))).rejects.toThrow("Body must be a JSON object");
  });

  it("still refuses arrays and scalars, and reads objects and an empty body as before", async () => {
    for (const body of ["[]", "3", '"text"']) await expect(readJsonOrNull(put(body))).rejects.toThrow("Body must be a JSON object");
    expect(await readJsonOrNull(put('{"a":1}'))).toEqual({ a: 1 });
    expect(await readJsonOrNull(put(""))).toEqual({});
  });
});
