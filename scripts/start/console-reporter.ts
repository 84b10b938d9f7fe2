/** How the start command talks to the person who ran it: short lines on stdout, errors on stderr. */
export interface Reporter {
  /** A step of starting or stopping. */
  step(message: string): void;
  /** Something that happened on the floor while running. */
  note(message: string): void;
  /** A block of text printed as is (the endpoints). */
  block(text: string): void;
  warn(message: string): void;
}

/** A reporter writing timestamped lines, e.g. `00:12:03  ✓ local cloud`. */
export function consoleReporter(
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  now: () => Date = () => new Date(),
): Reporter {
  const stamp = () => now().toISOString().slice(11, 19);
  return {
    step: (message) => out.write(`${stamp()}  ${message}\n`),
    note: (message) => out.write(`${stamp()}    ${message}\n`),
    block: (text) => out.write(`${text}\n`),
    warn: (message) => err.write(`${stamp()}  warning: ${message}\n`),
  };
}
