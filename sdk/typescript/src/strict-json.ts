/**
 * The first member name that appears twice in one object of `json`, or null. JSON.parse keeps the
 * last of two, so `{"tools": ["admin"], "tools": ["read"]}` would read differently here than in a
 * parser that keeps the first: a signed document with duplicates is refused instead.
 * `json` must already have parsed with JSON.parse.
 */
export function duplicateMember(json: string): string | null {
  const objects: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (end < json.length && json[end] !== '"') end += json[end] === "\\" ? 2 : 1;
      const names = objects[objects.length - 1];
      if (names && expectName) {
        const name = JSON.parse(json.slice(i, end + 1)) as string;
        if (names.has(name)) return name;
        names.add(name);
        expectName = false;
      }
      i = end;
    } else if (c === "{") {
      objects.push(new Set());
      expectName = true;
    } else if (c === "[") {
      objects.push(null);
      expectName = false;
    } else if (c === "}" || c === "]") {
      objects.pop();
      expectName = false;
    } else if (c === ",") {
      expectName = objects[objects.length - 1] != null;
    }
  }
  return null;
}
