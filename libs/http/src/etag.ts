import { PreconditionFailedProblem, PreconditionRequiredProblem } from './problem.js';

/** Strong ETag from a record's version number. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** The version an `If-Match` header names; 428 when it is missing, 412 when it is not one of ours. */
export function versionFromIfMatch(header: string | undefined): number {
  if (!header) throw new PreconditionRequiredProblem();
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(header.trim());
  if (!match) throw new PreconditionFailedProblem('If-Match does not name a version of this resource.');
  return Number(match[1]);
}
