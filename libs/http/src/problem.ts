import { HttpException, HttpStatus } from '@nestjs/common';

/** RFC 9457 problem details: the only error shape any Accanto API returns. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
};

/** One field that failed validation: where (JSON pointer-ish path) and which rule. */
export type FieldError = { field: string; rule: string; message: string };

const problemTypeBase = 'https://accanto.example/problems/';

export function problemType(slug: string): string {
  return `${problemTypeBase}${slug}`;
}

/** An HttpException whose response body is already a problem document. */
export class ProblemException extends HttpException {
  constructor(status: number, slug: string, title: string, detail?: string, errors?: FieldError[]) {
    super({ type: problemType(slug), title, status, detail, errors } satisfies Problem, status);
  }
}

export class ValidationProblem extends ProblemException {
  constructor(errors: FieldError[], detail = 'The request does not match the schema.') {
    super(HttpStatus.UNPROCESSABLE_ENTITY, 'validation', 'Invalid request', detail, errors);
  }
}

/** A record the caller may not see answers exactly like one that does not exist. */
export class NotFoundProblem extends ProblemException {
  constructor(what = 'resource') {
    super(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No such ${what}.`);
  }
}

export class PreconditionFailedProblem extends ProblemException {
  constructor(detail = 'The resource has changed since you read it: read it again and retry.') {
    super(HttpStatus.PRECONDITION_FAILED, 'precondition-failed', 'Precondition failed', detail);
  }
}

export class PreconditionRequiredProblem extends ProblemException {
  constructor(detail = 'Send If-Match with the ETag you read to change this resource.') {
    super(HttpStatus.PRECONDITION_REQUIRED, 'precondition-required', 'Precondition required', detail);
  }
}

export class ConflictProblem extends ProblemException {
  constructor(detail: string) {
    super(HttpStatus.CONFLICT, 'conflict', 'Conflict', detail);
  }
}
