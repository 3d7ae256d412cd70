import { StandardSchemaValidationPipe } from '@nestjs/common';
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

export const validationPipe = new StandardSchemaValidationPipe({
  exceptionFactory: (issues) => Problem.invalid(toFieldErrors(issues)),
});
