// The one way to the station API (docs/openapi/station.yaml): every call goes through
// send(), which sends the UI language so error messages come back ready to show, the
// staff token where one is held, and turns every failure into an ApiError. None of it
// logs what it sends: requests may carry ID numbers.
import { i18n } from '../i18n'

/**
 * ApiError is a failed call. code is the server's code (invalid, not_found, conflict,
 * unauthorized, forbidden, unavailable, internal) or, when no answer came, network or
 * timeout. message is always a translated sentence a person can act on.
 */
export class ApiError extends Error {
  readonly code: string
  readonly status: number
  /** The whole error answer, for endpoints that add fields (reason, attempts_left). */
  readonly body: Record<string, unknown>

  constructor(code: string, message: string, status = 0, body: Record<string, unknown> = {}) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.body = body
  }
}

const DEFAULT_TIMEOUT_MS = 10_000
/** PRINT_TIMEOUT_MS bounds calls that print before answering: a thermal printer can be slow. */
export const PRINT_TIMEOUT_MS = 25_000

/**
 * RequestOptions are a call's body and how long to wait (0: as long as it takes).
 * body is sent as JSON; rawJSON is text that already is JSON (a file a person chose),
 * sent as it is, so the station judges the file and not a copy of it.
 */
export interface RequestOptions {
  body?: unknown
  rawJSON?: string
  timeoutMs?: number
}

// A staff session rides on an HttpOnly cookie. The kiosk window's page (origin
// wails://wails) keeps no cookies, so there the console holds the login's token for the
// tab, in sessionStorage, and sends it as a Bearer token; it is dropped at logout, when
// the station no longer knows it, and when the console hands the screen back to the
// kiosk. Browsers whose cookies work never store it.
const TOKEN_KEY = 'bingzhan.staff.token'

function heldToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? ''
  } catch {
    return ''
  }
}

/** holdToken keeps a staff token for this tab; false if the tab cannot keep it. */
export function holdToken(token: string): boolean {
  try {
    sessionStorage.setItem(TOKEN_KEY, token)
    return true
  } catch {
    return false
  }
}

/** forgetToken drops a staff token held for this tab, if there is one. */
export function forgetToken(): void {
  try {
    sessionStorage.removeItem(TOKEN_KEY)
  } catch {
    // Nothing was held.
  }
}

// send makes the call and returns a successful response; anything else is thrown as
// an ApiError carrying the server's code and message when it sent them.
async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
  const t = i18n.global.t
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': i18n.global.locale.value,
  }
  const token = heldToken()
  if (token) headers.Authorization = 'Bearer ' + token
  const body = opts.rawJSON ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
  if (body !== undefined) headers['Content-Type'] = 'application/json'

  const ctrl = new AbortController()
  const ms = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const timer = ms > 0 ? setTimeout(() => ctrl.abort(), ms) : undefined
  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers,
      body,
      signal: ctrl.signal,
      credentials: 'same-origin',
    })
  } catch {
    throw ctrl.signal.aborted
      ? new ApiError('timeout', t('error.timeout'))
      : new ApiError('network', t('error.network'))
  } finally {
    clearTimeout(timer)
  }
  if (res.ok) return res

  let data: unknown
  try {
    data = await res.json()
  } catch {
    // A proxy or a crash page answered with something that is not our JSON.
    throw new ApiError(statusCode(res.status), t('error.generic'), res.status)
  }
  const e = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>
  throw new ApiError(
    typeof e.code === 'string' ? e.code : statusCode(res.status),
    typeof e.message === 'string' && e.message !== '' ? e.message : t('error.generic'),
    res.status,
    e,
  )
}

/** request makes a JSON call and returns its answer (undefined for 204 No Content). */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, opts)
  // Logout and PIN changes answer 204 with no body.
  if (res.status === 204) return undefined as T
  try {
    return (await res.json()) as T
  } catch {
    throw new ApiError('internal', i18n.global.t('error.generic'), res.status)
  }
}

/** DownloadedFile is a file the station answered with, and the name it gave it. */
export interface DownloadedFile {
  blob: Blob
  filename: string
}

/** download makes a call whose answer is a file (Content-Disposition names it). */
export async function download(method: string, path: string, fallbackName: string, opts: RequestOptions = {}): Promise<DownloadedFile> {
  const res = await send(method, path, opts)
  const cd = res.headers.get('Content-Disposition') ?? ''
  const m = cd.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i)
  return { blob: await res.blob(), filename: m ? decodeURIComponent(m[1] ?? '') : fallbackName }
}

function statusCode(status: number): string {
  if (status === 404) return 'not_found'
  if (status === 503) return 'unavailable'
  return status >= 500 ? 'internal' : 'invalid'
}
