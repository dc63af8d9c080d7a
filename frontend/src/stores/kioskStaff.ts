// Staff working at the kiosk itself. A long press on the kiosk's station name leads to
// the staff console in the same window — a station with one PC has no other screen for
// it. Until staff hand the screen back (or leave it untouched), every staff screen
// carries a bar to return, nothing is downloaded to the lobby PC, and returning ends
// the login and reloads the page, so nothing a staff screen showed stays behind.
import { reactive } from 'vue'
import type { Router } from 'vue-router'
import { ApiError, exitKiosk, forgetToken, kioskStaffNames } from '../api'
import { i18n } from '../i18n'
import { doLogout } from './staff'
import { idleOverridden, station } from './station'

const KEY = 'bingzhan.staff.atKiosk'

/** STAFF_IDLE_S is how long staff at the kiosk may leave it untouched before the warning. */
export const STAFF_IDLE_S = 120

/** kioskStaff says whether this tab is the kiosk lent to staff. */
export const kioskStaff = reactive({ on: read() })

function read(): boolean {
  try {
    return sessionStorage.getItem(KEY) === '1'
  } catch {
    return false
  }
}

function write(on: boolean): void {
  kioskStaff.on = on
  try {
    if (on) sessionStorage.setItem(KEY, '1')
    else sessionStorage.removeItem(KEY)
  } catch {
    // Without storage the flag lasts as long as the page.
  }
}

/** staffIdleS is the warning time for staff at the kiosk; a test's `idle=` override applies. */
export function staffIdleS(): number {
  return idleOverridden() ? station.idleWarningS : STAFF_IDLE_S
}

/** enterFromKiosk opens the staff console in the kiosk's window. */
export async function enterFromKiosk(router: Router): Promise<void> {
  write(true)
  await router.push({ name: 'staff' })
}

/** backToKiosk ends the staff login and gives the screen back to visitors, fresh. */
export async function backToKiosk(): Promise<void> {
  await doLogout()
  forgetToken()
  write(false)
  window.location.assign('/')
}

/** loadKioskStaffNames lists the staff to tap at the kiosk's login; only the kiosk PC gets it. */
export function loadKioskStaffNames(): Promise<string[]> {
  return kioskStaffNames()
}

/**
 * exitKioskWindow closes the kiosk window once an admin's PIN is given. A refusal is
 * thrown with the station's message; anything else as a network failure.
 */
export async function exitKioskWindow(pin: string): Promise<void> {
  try {
    await exitKiosk(pin)
  } catch (e) {
    throw e instanceof ApiError ? e : new Error(i18n.global.t('error.network'))
  }
}
