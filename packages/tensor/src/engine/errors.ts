import { AdaLoraError } from '@adalora/core';

const engineUnavailableSymbol = Symbol.for('adalora.error.engine-unavailable');

/** An engine was asked for explicitly but its package is not installed (or failed to load). */
export class EngineUnavailableError extends AdaLoraError {
  private readonly [engineUnavailableSymbol] = true;
  /** The engine that was asked for. */
  readonly engine: string;

  constructor({ engine, message, cause }: { engine: string; message: string; cause?: unknown }) {
    super(message, { cause });
    this.name = 'EngineUnavailableError';
    this.engine = engine;
  }

  static override isInstance(error: unknown): error is EngineUnavailableError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[engineUnavailableSymbol] === true;
  }
}
