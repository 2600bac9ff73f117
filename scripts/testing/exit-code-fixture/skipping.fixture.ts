import { expect, it } from "vitest";

it("passes", () => {
  expect(1 + 1).toBe(2);
});

it("skips itself when a condition holds", ({ skip }) => {
  skip();
});

it.todo("is still to be written");
