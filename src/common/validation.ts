import { type ArgumentMetadata, StandardSchemaValidationPipe } from '@nestjs/common';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type FieldError, Problem } from './problem.js';

// zod issue codes → our field error codes (README, "Error codes").
const ISSUE_CODES: Record<string, string> = {
  invalid_type: 'invalid_type',
  too_small: 'too_small',
  too_big: 'too_big',
  invalid_format: 'invalid_format',
  invalid_value: 'invalid_value',
  not_multiple_of: 'invalid_value',
  invalid_union: 'invalid_value',
};

type ZodLikeIssue = StandardSchemaV1.Issue & { code?: string; keys?: string[]; params?: { code?: string } };

export function toFieldErrors(issues: readonly StandardSchemaV1.Issue[]): FieldError[] {
  return issues.flatMap((raw) => {
    const issue = raw as ZodLikeIssue;
    const path = (issue.path ?? []).map((p) => (typeof p === 'object' ? p.key : p)).join('.');
    if (issue.code === 'unrecognized_keys') {
      return (issue.keys ?? []).map((key) => ({
        field: path ? `${path}.${key}` : key,
        code: 'unknown_field',
        message: 'This field is not accepted here.',
      }));
    }
    const code = issue.params?.code ?? ISSUE_CODES[issue.code ?? ''] ?? 'invalid_value';
    return [{ field: path || '(body)', code, message: issue.message }];
  });
}

// Text no field may hold, whatever its schema: PostgreSQL refuses NUL in text and NUL or a lone
// surrogate in JSON (the audit entry), which made such requests fail with a 500 after the checks.
// C0 controls other than TAB, LF and CR have no place in any text we store or send; single-line
// fields refuse CR/LF (and every other control character) in their own schemas.
const SUSPECT = /[\0-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]/;
const CONTROL = /[\0-\x08\x0b\x0c\x0e-\x1f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// The field code names, passwords and addresses already gave such text (README, "Error codes"):
// a NUL in a domain name or a password keeps the code it had before this check ran first.
const INVALID_TEXT_CODE = 'invalid_characters';
// Nest's pipe would silently delete these keys before the schema saw them, so a request holding
// one succeeded as if it did not; no field of ours has such a name, so they are refused instead.
const PROTOTYPE_KEYS = new Set(['__proto__', 'prototype', 'constructor']);
// A body of thousands of bad strings gets this many errors back, not one per string.
const MAX_TEXT_ERRORS = 20;
// Field paths stop growing here: JSON nesting can be hundreds of thousands of levels deep.
const MAX_FIELD_PATH_CHARS = 200;

function textProblem(text: string): string | null {
  // The cheap test first: a 30 MB base64 attachment is scanned once, without look-arounds.
  if (!SUSPECT.test(text)) return null;
  if (CONTROL.test(text)) return 'must not contain NUL or control characters other than tab, line feed and carriage return';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text (it contains an unpaired surrogate)';
  return null;
}

/** A field name as it can be shown back: the offending characters as \uXXXX. */
function printable(key: string): string {
  return key.replace(/[\0-\x1f\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function childPath(path: string, name: string): string {
  if (path.length > MAX_FIELD_PATH_CHARS) return path.endsWith('…') ? path : `${path}.…`;
  return path ? `${path}.${name}` : name;
}

/**
 * Every string in a parsed body, query or path (object keys included) that cannot be stored, and
 * every key named like a prototype property.
 * Iterative, not recursive: JSON.parse accepts nesting deep enough to overflow the stack.
 */
export function invalidTextErrors(value: unknown, rootPath = ''): FieldError[] {
  const errors: FieldError[] = [];
  const pending: [unknown, string][] = [[value, rootPath]];
  while (pending.length > 0 && errors.length < MAX_TEXT_ERRORS) {
    const [item, path] = pending.pop()!;
    if (typeof item === 'string') {
      const message = textProblem(item);
      if (message) errors.push({ field: path || '(body)', code: INVALID_TEXT_CODE, message });
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) pending.push([item[i], childPath(path, String(i))]);
    } else if (item !== null && typeof item === 'object' && !ArrayBuffer.isView(item)) {
      for (const [key, child] of Object.entries(item)) {
        const field = childPath(path, printable(key));
        const message = textProblem(key);
        if (message) errors.push({ field, code: INVALID_TEXT_CODE, message: `field name ${message}` });
        else if (PROTOTYPE_KEYS.has(key)) errors.push({ field, code: 'unknown_field', message: 'This field is not accepted here.' });
        else pending.push([child, field]);
      }
    }
  }
  return errors.slice(0, MAX_TEXT_ERRORS);
}

const TEXT_CHECKED: ReadonlySet<ArgumentMetadata['type']> = new Set(['body', 'query', 'param']);

// Global: runs on every route's body, query and path values before any schema (or route pipe,
// such as POST /v1/messages' own) sees them, so no route can forget the text check.
class RequestValidationPipe extends StandardSchemaValidationPipe {
  override async transform<T = unknown>(value: T, metadata: ArgumentMetadata): Promise<T> {
    if (TEXT_CHECKED.has(metadata.type)) {
      const errors = invalidTextErrors(value, metadata.data);
      if (errors.length > 0) throw Problem.invalid(errors);
    }
    return super.transform(value, metadata);
  }
}

export const validationPipe = new RequestValidationPipe({
  exceptionFactory: (issues) => Problem.invalid(toFieldErrors(issues)),
});
