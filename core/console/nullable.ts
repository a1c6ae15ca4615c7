// `T or null` for the console's schemas. Null comes first: fastify's default validator coerces types, and inside an
// anyOf it coerces against the first branch, so `{score: null}` checked against integer-or-null arrived as 0.
import { Type, type TSchema } from '@sinclair/typebox';

export const Nullable = <T extends TSchema>(t: T) => Type.Union([Type.Null(), t]);
