import { randomUUID } from 'node:crypto';
import { BODIES, pathValue, queryValue } from './fuzz-bases.js';
import { PROTOTYPE_KEYS, type JsonSchema, fieldPaths, hostileValuesFor, toJson, typesOf, withValue } from './fuzz-values.js';
import type { FuzzTenant, FuzzWorld } from './fuzz-world.js';

export interface FuzzRequest {
  label: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface Operation {
  method: string;
  path: string;
  /** `METHOD /path`, as in BODIES. */
  key: string;
  spec: { parameters?: { name: string; in: string; required?: boolean; schema: JsonSchema }[]; requestBody?: { content: Record<string, { schema: JsonSchema }> }; security?: unknown[] };
}

/** Who sends an operation's requests, and for which tenant's objects. */
export interface Caller {
  headers: Record<string, string>;
  tenant: FuzzTenant;
  /** The other tenant, whose ids must be as unknown as missing ones; absent for a platform admin. */
  other?: FuzzTenant;
}

const BODY_LIMIT_BYTES = 1024 * 1024;
/** Under Node's 16 KiB request-head limit, so the app (not the HTTP parser) judges the value. */
const LONG_URL_PART_CHARS = 8000;
const OVERSIZED_HEAD_CHARS = 100_000;
const DEEP_NESTING = 20_000;

// Already percent-encoded: a lone surrogate or invalid UTF-8 cannot come from encodeURIComponent.
const HOSTILE_PATH_VALUES: [string, string][] = [
  ['not a uuid', 'not-a-uuid'],
  ['nil uuid', '00000000-0000-0000-0000-000000000000'],
  ['traversal', '..%2f..%2fv1%2fresellers'],
  ['4000 chars', 'x'.repeat(4000)],
  ['NUL', '%00'],
  ['surrogate as WTF-8', '%ED%A0%80'],
  ['invalid UTF-8', '%FF%FE'],
  ['CR/LF', '%0D%0ASet-Cookie:%20x=1'],
  ['number', '-1'],
];
const HOSTILE_QUERY_VALUES: [string, string][] = [
  ['surrogate as WTF-8', '%ED%A0%80'],
  ['NUL', 'a%00b'],
  ['CR/LF', 'a%0D%0Ab'],
  ['8000 chars', 'x'.repeat(LONG_URL_PART_CHARS)],
  ['empty', ''],
  ['-1', '-1'],
  ['1e308', '1e308'],
  ['NaN', 'NaN'],
  ['invalid UTF-8', '%FF'],
  ['percent and underscore', '%25_%5C'],
];
const HOSTILE_HEADER_VALUES: [string, string][] = [['300 chars', 'k'.repeat(300)], ['blank', ' '], ['latin-1', 'cl\u00e9']];

const WHOLE_BODIES: [string, string | Buffer, string][] = [
  ['null body', 'null', 'application/json'],
  ['array body', '[]', 'application/json'],
  ['string body', '"x"', 'application/json'],
  ['number body', '1e400', 'application/json'],
  ['truncated JSON', '{"a":', 'application/json'],
  ['trailing garbage', '{}}', 'application/json'],
  ['deep nesting', '['.repeat(DEEP_NESTING) + ']'.repeat(DEEP_NESTING), 'application/json'],
  ['invalid UTF-8 in a string', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('"}')]), 'application/json'],
  ['form-encoded', 'a=1&__proto__[polluted]=yes', 'application/x-www-form-urlencoded'],
  ['text/plain', '{}', 'text/plain'],
  ['JSON with a charset', '{}', 'application/json; charset=utf-16'],
];

export function operationsOf(document: { paths: Record<string, Record<string, Operation['spec']>> }): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, spec]) => ({ method: method.toUpperCase(), path, key: `${method.toUpperCase()} ${path}`, spec })),
  );
}

/** The valid request (`label` 'valid') and the parts the hostile variants vary. */
export class RequestBuilder {
  constructor(
    private readonly op: Operation,
    private readonly caller: Caller,
    private readonly world: FuzzWorld,
  ) {}

  private params(where: string) {
    return (this.op.spec.parameters ?? []).filter((p) => p.in === where);
  }

  /** Problems that make the operation impossible to fuzz (a parameter or body this test does not know). */
  gaps(): string[] {
    const gaps = this.params('path').filter((p) => pathValue(this.op.path, p.name, this.caller.tenant) === undefined).map((p) => `path parameter ${p.name}`);
    gaps.push(...this.params('query').filter((p) => p.required && this.validQuery(p) === undefined).map((p) => `query parameter ${p.name}`));
    if (this.jsonSchema() && !BODIES[this.op.key]) gaps.push('request body');
    return gaps;
  }

  private validQuery(p: { name: string; schema: JsonSchema }) {
    return queryValue(p.name, p.schema, this.caller.tenant);
  }

  jsonSchema(): JsonSchema | undefined {
    return this.op.spec.requestBody?.content['application/json']?.schema;
  }

  request(label: string, parts: { path?: Record<string, string>; query?: [string, string][]; headers?: Record<string, string>; body?: string | Buffer; contentType?: string } = {}): FuzzRequest {
    const pathValues = Object.fromEntries(this.params('path').map((p) => [p.name, encodeURIComponent(pathValue(this.op.path, p.name, this.caller.tenant)!)]));
    const path = this.op.path.replace(/\{(\w+)\}/g, (_, name: string) => parts.path?.[name] ?? pathValues[name]);
    const query = parts.query ?? this.validQueryPairs();
    const url = path + (query.length ? `?${query.map(([k, v]) => `${k}=${v}`).join('&')}` : '');
    let body = parts.body;
    let contentType = parts.contentType;
    if (body === undefined && BODIES[this.op.key]) {
      body = toJson(BODIES[this.op.key](this.caller.tenant, this.world));
      contentType = 'application/json';
    }
    const headers = { ...this.caller.headers, ...(contentType && { 'content-type': contentType }), ...parts.headers };
    return { label, method: this.op.method, url, headers, ...(body !== undefined && { body }) };
  }

  private validQueryPairs(): [string, string][] {
    return this.params('query').flatMap((p) => {
      const value = this.validQuery(p);
      return value === undefined ? [] : [[p.name, encodeURIComponent(value)] as [string, string]];
    });
  }

  /** Every hostile variant: path, query, header and body, one part at a time. */
  hostile(): FuzzRequest[] {
    const requests: FuzzRequest[] = [];
    for (const p of this.params('path')) {
      const values = [...HOSTILE_PATH_VALUES, ['random uuid', randomUUID()] as [string, string]];
      const other = this.caller.other && pathValue(this.op.path, p.name, this.caller.other);
      if (other) values.push(["another tenant's", encodeURIComponent(other)]);
      for (const [label, value] of values) requests.push(this.request(`path ${p.name}: ${label}`, { path: { [p.name]: value } }));
    }
    const valid = this.validQueryPairs();
    for (const p of this.params('query')) {
      const others = valid.filter(([name]) => name !== p.name);
      for (const [label, value] of HOSTILE_QUERY_VALUES) requests.push(this.request(`query ${p.name}: ${label}`, { query: [...others, [p.name, value]] }));
      requests.push(this.request(`query ${p.name}: repeated`, { query: [...valid, [p.name, 'x']] }));
    }
    // Past Node's request-head limit: refused by the HTTP parser, which must answer problem+json too.
    requests.push(this.request('query: 100 KB value', { query: [...valid, ['pad', 'x'.repeat(OVERSIZED_HEAD_CHARS)]] }));
    requests.push(this.request('query: prototype keys', { query: [...valid, ['__proto__[polluted]', 'yes'], ['constructor[prototype][polluted]', 'yes']] }));
    for (const p of this.params('header')) {
      for (const [label, value] of HOSTILE_HEADER_VALUES) requests.push(this.request(`header ${p.name}: ${label}`, { headers: { [p.name]: value } }));
    }
    const schema = this.jsonSchema();
    if (schema && BODIES[this.op.key]) requests.push(...this.hostileBodies(schema));
    return requests;
  }

  private hostileBodies(schema: JsonSchema): FuzzRequest[] {
    const build = () => BODIES[this.op.key](this.caller.tenant, this.world);
    const json = (label: string, body: unknown) => this.request(label, { body: toJson(body), contentType: 'application/json' });
    const requests: FuzzRequest[] = [];
    const objects = [{ path: [] as (string | number)[], schema }, ...fieldPaths(schema).filter((f) => typesOf(f.schema).includes('object'))];
    for (const { path, schema: field } of fieldPaths(schema)) {
      for (const [label, value] of hostileValuesFor(field)) requests.push(json(`body ${path.join('.')}: ${label}`, withValue(build(), path, value)));
    }
    for (const { path } of objects) {
      for (const [key, value] of PROTOTYPE_KEYS) requests.push(json(`body ${[...path, key].join('.')}: prototype key`, withValue(build(), [...path, key], value)));
    }
    for (const [label, body, contentType] of WHOLE_BODIES) requests.push(this.request(`body: ${label}`, { body, contentType }));
    // POST /v1/messages has a body limit of its own (README: OUTBOUND_MAX_MESSAGE_BYTES).
    if (this.op.key !== 'POST /v1/messages') {
      requests.push(json('body: over BODY_LIMIT_BYTES', withValue(build(), ['padding'], 'x'.repeat(BODY_LIMIT_BYTES))));
    }
    return requests;
  }
}
