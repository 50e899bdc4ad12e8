import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBody, ApiParam, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidationProblem, type FieldError } from './problem.js';

export type InputSchemas = { body?: z.ZodType; query?: z.ZodObject; params?: z.ZodObject };

export const INPUT_SCHEMAS = 'accanto:input-schemas';

/**
 * Declares the zod schemas a route's input must satisfy. The same schemas validate the request
 * (ValidationInterceptor replaces body/query/params with the parsed values) and document it in OpenAPI.
 */
export function Input(schemas: InputSchemas): MethodDecorator {
  const docs: MethodDecorator[] = [];
  if (schemas.body) docs.push(ApiBody({ schema: jsonSchema(schemas.body) }));
  // Path parameters too, so the document says an id is a UUIDv7 rather than any string.
  for (const [name, property] of Object.entries(schemas.params?.shape ?? {})) {
    docs.push(ApiParam({ name, required: true, schema: jsonSchema(property as z.ZodType) }));
  }
  for (const [name, property] of Object.entries(schemas.query?.shape ?? {})) {
    docs.push(
      ApiQuery({
        name,
        required: !(property as z.ZodType).safeParse(undefined).success,
        schema: jsonSchema(property as z.ZodType),
      }),
    );
  }
  return applyDecorators(SetMetadata(INPUT_SCHEMAS, schemas), ...docs);
}

// OpenAPI 3.1 speaks JSON Schema 2020-12, which zod emits directly.
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
}

export function fieldErrors(error: z.ZodError, location: string): FieldError[] {
  return error.issues.slice(0, 50).map((issue) => ({
    field: [location, ...issue.path.map(String)].join('.'),
    rule: issue.code,
    message: issue.message,
  }));
}

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, location: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationProblem(fieldErrors(result.error, location));
  return result.data;
}
