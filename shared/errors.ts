/**
 * A refusal the user can act on: a stable code for programs, a Chinese sentence for people.
 * Anything thrown that is not a DomainError is an internal fault.
 */
export class DomainError extends Error {
  constructor(public readonly code: string, message: string) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError || (typeof e === 'object' && e !== null && (e as { name?: string }).name === 'DomainError');
}
