// RFC 9457 problem details. `code` is the stable, documented identifier clients branch on
// (README, "Error codes"); `title` and `detail` are for people.
export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
  }

  static notFound(what = 'resource'): Problem {
    return new Problem(404, 'not_found', `The ${what} does not exist.`);
  }

  static forbidden(code: string, detail: string): Problem {
    return new Problem(403, code, detail);
  }

  static conflict(code: string, detail: string): Problem {
    return new Problem(409, code, detail);
  }

  static invalid(errors: FieldError[]): Problem {
    return new Problem(422, 'validation_failed', 'The request has invalid fields.', errors);
  }

  static invalidField(field: string, code: string, message: string): Problem {
    return Problem.invalid([{ field, code, message }]);
  }
}
