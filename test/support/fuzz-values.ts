// Hostile values for the fuzz test (test/e2e/fuzz.e2e.ts), chosen per JSON-schema type so that
// each one is wrong for the field it replaces.

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  [key: string]: unknown;
};

/** A JSON token written as is (JSON.stringify cannot produce `1e400`). */
export class RawJson {
  constructor(readonly text: string) {}
}

export const LONG_STRING_CHARS = 100_000;

/** Strings no field should store as given: invalid UTF-16, control characters, sheer size. */
export const HOSTILE_STRINGS: [string, string][] = [
  ['lone high surrogate', '\ud800'],
  ['lone low surrogate', 'a\udc00b'],
  ['NUL', 'a\u0000b'],
  ['CR/LF header injection', 'a\r\nBcc: victim@evil.test'],
  ['100 KB string', 'x'.repeat(LONG_STRING_CHARS)],
  ['bidi and zero-width', '\u202e\u200bab'],
  ['quotes and markup', `'";--<x>&{{7*7}}\${7*7}`],
];

/** Numbers out of every sane range, and numbers that are not numbers. */
export const HOSTILE_NUMBERS: [string, unknown][] = [
  ['-1', -1],
  ['1e308', 1e308],
  ['1e400 (Infinity once parsed)', new RawJson('1e400')],
  ['2**53+1', 2 ** 53 + 1],
  ['fraction', 1.5],
  ['"NaN"', 'NaN'],
  ['numeric string', '12'],
];

const WRONG_TYPES: [string, string, unknown][] = [
  ['number', 'number for', 12345],
  ['string', 'string for', 'true'],
  ['boolean', 'boolean for', true],
  ['null', 'null for', null],
  ['array', 'array for', ['x', 1]],
  ['object', 'object for', { nested: { deep: 1 } }],
];

export function typesOf(schema: JsonSchema): string[] {
  if (schema.anyOf) return schema.anyOf.flatMap(typesOf);
  if (schema.enum) return [...new Set(schema.enum.map((v) => (v === null ? 'null' : typeof v)))];
  const type = schema.type ?? (schema.properties ? 'object' : undefined);
  if (type === undefined) return [];
  return (Array.isArray(type) ? type : [type]).map((t) => (t === 'integer' ? 'number' : t));
}

/** The hostile values for one field: every wrong type, plus bad strings or numbers where it takes them. */
export function hostileValuesFor(schema: JsonSchema): [string, unknown][] {
  const types = typesOf(schema);
  const values: [string, unknown][] = [];
  if (types.includes('string')) values.push(...HOSTILE_STRINGS);
  if (types.includes('number')) values.push(...HOSTILE_NUMBERS);
  for (const [type, label, value] of WRONG_TYPES) {
    if (!types.includes(type)) values.push([`${label} ${types.join('|') || 'any'}`, value]);
  }
  return values;
}

/** Keys a careless merge turns into prototype pollution, each with an object value. */
export const PROTOTYPE_KEYS: [string, unknown][] = [
  ['__proto__', { polluted: 'yes' }],
  ['constructor', { prototype: { polluted: 'yes' } }],
  ['prototype', { polluted: 'yes' }],
];

export type Path = (string | number)[];

const branches = (schema: JsonSchema): JsonSchema[] => (schema.anyOf ? schema.anyOf.flatMap(branches) : [schema]);

/** Every field path of a schema (array items as index 0), with its schema; objects included. */
export function fieldPaths(schema: JsonSchema, prefix: Path = []): { path: Path; schema: JsonSchema }[] {
  const branch = branches(schema).find((s) => s.properties || s.items) ?? schema;
  const found: { path: Path; schema: JsonSchema }[] = [];
  for (const [name, child] of Object.entries(branch.properties ?? {})) {
    found.push({ path: [...prefix, name], schema: child }, ...fieldPaths(child, [...prefix, name]));
  }
  if (branch.items) found.push({ path: [...prefix, 0], schema: branch.items }, ...fieldPaths(branch.items, [...prefix, 0]));
  return found;
}

/** A deep copy of `body` with `value` at `path`, creating the containers on the way. */
export function withValue(body: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(body) ?? {};
  let node = copy as Record<string | number, unknown>;
  for (const [i, key] of path.slice(0, -1).entries()) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = typeof path[i + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  }
  // defineProperty, not assignment: `__proto__` must become an own key that JSON.stringify writes.
  Object.defineProperty(node, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** JSON text of a body, with RawJson values written verbatim. */
export function toJson(body: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(body, (_, value) => {
    if (!(value instanceof RawJson)) return value;
    raws.push(value.text);
    return `\u0000raw${raws.length - 1}\u0000`;
  });
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_, i: string) => raws[Number(i)]);
}
