/**
 * Schema versioning, see contracts/VERSIONING.md. `MAJOR.MINOR`: a minor version only adds optional
 * fields or new enum members that readers may ignore; a major version changes meaning or removes fields.
 */
export const SCHEMA_VERSION = '1.0' as const;
export const SCHEMA_MAJOR = 1;

/** Schema version of an event: `MAJOR.MINOR`. */
export const SCHEMA_VERSION_PATTERN = /^(\d{1,3})\.(\d{1,3})$/;

/**
 * Whether this reader understands a given event version: same major, any minor. Unknown fields from a
 * newer minor are dropped on parse; a different major is refused with a typed error.
 */
export function isReadableVersion(version: string): boolean {
  const match = SCHEMA_VERSION_PATTERN.exec(version);
  return match !== null && Number(match[1]) === SCHEMA_MAJOR;
}
