import { describe, expect, it } from "vitest";
import { duplicateMember } from "./strict-json.js";

describe("duplicateMember", () => {
  it("finds a name given twice in one object, at any depth, however it is escaped", () => {
    expect(duplicateMember('{"tools":["admin"],"tools":["read"]}')).toBe("tools");
    expect(duplicateMember('{"a":{"b":1,"c":{"d":2,"d":3}}}')).toBe("d");
    expect(duplicateMember('{"sub":"x","\\u0073ub":"y"}')).toBe("sub");
    expect(duplicateMember('[{"a":1},{"a":2,"a":3}]')).toBe("a");
  });

  it("leaves alone the same name in different objects, and names that only look alike in values", () => {
    expect(duplicateMember('{"a":{"a":1},"b":[{"a":2},{"a":3}]}')).toBeNull();
    expect(duplicateMember('{"a":"\\"a\\":","b":["a","a"],"c":"{\\"c\\":1}"}')).toBeNull();
    expect(duplicateMember('{"x":[],"y":{},"z":[[{}]]}')).toBeNull();
    expect(duplicateMember("[1,2,3]")).toBeNull();
  });
});
