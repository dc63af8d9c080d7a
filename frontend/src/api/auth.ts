// Staff sessions, the kiosk's own staff routes and the accounts admins keep
// (docs/staff.md).
import { ApiError, forgetToken, holdToken, request } from './client'
import type { KioskExit, Role, Setup, StaffAccount, StaffNames, StaffSession } from './types'

/**
 * login opens a staff session; the answer sets the session cookie. Where the cookie
 * does not come back (the kiosk window), the token is held for the tab instead.
 */
export async function login(name: string, pin: string): Promise<StaffSession> {
  forgetToken()
  return keepSession(await request<StaffSession>('POST', '/api/v1/login', { body: { name, pin } }))
}

/** getSetup says whether the station still needs its first admin, and whether this is its kiosk. */
export function getSetup(): Promise<Setup> {
  return request('GET', '/api/v1/setup')
}

/**
 * setupFirstAdmin makes a fresh station's first admin (only at its kiosk, only while
 * it has no account) and logs them in, as login does.
 */
export async function setupFirstAdmin(name: string, pin: string): Promise<StaffSession> {
  forgetToken()
  return keepSession(await request<StaffSession>('POST', '/api/v1/setup/admin', { body: { name, pin } }))
}

// keepSession makes the session of a login's answer this tab's: by its cookie, or
// where none came back, by holding its token.
async function keepSession(se: StaffSession): Promise<StaffSession> {
  try {
    await getMe()
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'unauthorized') || !se.token) throw e
    if (!holdToken(se.token)) throw e
  }
  return { ...se, token: undefined }
}

/** logout ends the session, clears its cookie and drops a held token. */
export async function logout(): Promise<void> {
  try {
    await request('POST', '/api/v1/logout')
  } finally {
    forgetToken()
  }
}

/** getMe returns the live session of this browser; `unauthorized` if there is none. */
export async function getMe(): Promise<StaffSession> {
  try {
    return await request<StaffSession>('GET', '/api/v1/me')
  } catch (e) {
    if (e instanceof ApiError && e.code === 'unauthorized') forgetToken()
    throw e
  }
}

/** kioskStaffNames lists the staff to tap at the kiosk's login (only the kiosk PC gets it). */
export async function kioskStaffNames(): Promise<string[]> {
  const r = await request<StaffNames>('GET', '/api/v1/kiosk/staff-names')
  return r.names
}

/** exitKiosk asks the station to close the kiosk window; it needs an admin's PIN. */
export async function exitKiosk(pin: string): Promise<void> {
  await request<KioskExit>('POST', '/api/v1/kiosk/exit', { body: { pin } })
}

const staffPath = (name: string): string => `/api/v1/staff/${encodeURIComponent(name)}`

/** listStaff returns every account, by name. */
export function listStaff(): Promise<StaffAccount[]> {
  return request('GET', '/api/v1/staff')
}

/** addStaff creates an account; the PIN is checked (6–12 digits, not too easy) by the station. */
export function addStaff(name: string, role: Role, pin: string): Promise<StaffAccount> {
  return request('POST', '/api/v1/staff', { body: { name, role, pin } })
}

/** setStaffPin gives an account a new PIN, unlocks it and ends its sessions. */
export function setStaffPin(name: string, pin: string): Promise<void> {
  return request('PUT', `${staffPath(name)}/pin`, { body: { pin } })
}

/** unlockStaff lifts the lock wrong PINs put on an account; the PIN stays. */
export function unlockStaff(name: string): Promise<void> {
  return request('POST', `${staffPath(name)}/unlock`)
}

/** setStaffRole makes an account staff or admin (not one's own, not the last admin). */
export function setStaffRole(name: string, role: Role): Promise<void> {
  return request('PUT', `${staffPath(name)}/role`, { body: { role } })
}

/** removeStaff deletes an account (not one's own, not the last admin); histories keep the name. */
export function removeStaff(name: string): Promise<void> {
  return request('DELETE', staffPath(name))
}
