/**
 * Every error wxmp throws on purpose is a {@link WxmpError}: it carries a stable
 * `code` that programs can switch on, a message that says what was wrong and how to
 * fix it, and the underlying `cause` when there is one.
 *
 * @example
 * try { loadConfig(process.env) } catch (e) {
 *   if (isWxmpError(e) && e.code === 'CONFIG_INVALID') console.error(e.message)
 * }
 */
const brand = Symbol.for('wxmp.error');

export class WxmpError extends Error {
  /** Stable machine-readable code, e.g. `SIGNATURE_INVALID`. */
  readonly code: string;
  readonly [brand] = true;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WxmpError';
    this.code = code;
  }
}

/** A setting (environment variable or option) is missing or malformed. */
export class ConfigError extends WxmpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
    this.name = 'ConfigError';
  }
}

/**
 * A request from (or a reply to) WeChat failed a protocol check: signature,
 * decryption, AppID, XML. `status` is the HTTP status the server answers with.
 */
export class ProtocolError extends WxmpError {
  readonly status: 400 | 403 | 413;

  constructor(code: string, status: 400 | 403 | 413, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ProtocolError';
    this.status = status;
  }
}

/** The WeChat API answered with a non-zero errcode, or could not be reached. */
export class ApiError extends WxmpError {
  readonly errcode: number;
  readonly errmsg: string;

  constructor(errcode: number, errmsg: string, message: string, options?: { cause?: unknown }) {
    super(`API_${errcode}`, message, options);
    this.name = 'ApiError';
    this.errcode = errcode;
    this.errmsg = errmsg;
  }
}

/** A deploy step failed; `step` names it (ssh, rsync, health, ...). */
export class DeployError extends WxmpError {
  readonly step: string;

  constructor(step: string, message: string, options?: { cause?: unknown }) {
    super(`DEPLOY_${step.toUpperCase()}`, message, options);
    this.name = 'DeployError';
    this.step = step;
  }
}

/**
 * True for any wxmp error, even one thrown by a second copy of the package
 * (where `instanceof` would fail).
 */
export function isWxmpError(value: unknown): value is WxmpError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
