// The station settings store (/staff/settings, admins only): the staff accounts and
// what an admin does with them. Every change goes to the station and the list is read
// again from it, so two admin browsers never show different accounts for long. Logging
// in is the staff store's; a 401 hands the screen back to its login form.
import { reactive } from 'vue'
import * as api from '../api'
import { ApiError, type Role, type StaffAccount } from '../api'
import { i18n } from '../i18n'
import { checkSession, staff } from './staff'

/** AccountsState is what the accounts section shows. */
export interface AccountsState {
  list: StaffAccount[]
  loaded: boolean
  /** Why the list could not be read, translated. */
  loadError: string
  /** The action in flight ("remove:王芳"): its buttons wait, so a double tap does nothing. */
  busy: string
  /**
   * The last action's outcome for the line above the list: a message key under
   * settings.done and the account's name, translated when shown so it follows a
   * change of language.
   */
  done: { key: DoneKey; name: string } | null
  error: string
}

/** accounts is the shared accounts state. */
export const accounts = reactive<AccountsState>({
  list: [],
  loaded: false,
  loadError: '',
  busy: '',
  done: null,
  error: '',
})

/** DoneKey names what the last action did. */
export type DoneKey = 'added' | 'pin' | 'unlocked' | 'admin' | 'staff' | 'removed'

// A 401 means the session ended (expired, or the account itself was removed from
// another browser): the login screen takes over with the console's words. A 403 means
// another admin made this one staff meanwhile: the session is read again, and the
// page says it is for admins.
function sessionEnded(e: unknown): boolean {
  if (e instanceof ApiError && e.code === 'forbidden') void checkSession()
  if (e instanceof ApiError && e.code === 'unauthorized') {
    if (staff.session) staff.loginNotice = i18n.global.t('staff.login.expired')
    staff.session = null
    accounts.list = []
    accounts.loaded = false
    return true
  }
  return false
}

/** loadAccounts reads the accounts again; a failure keeps the last list on screen. */
export async function loadAccounts(): Promise<void> {
  try {
    accounts.list = await api.listStaff()
    accounts.loaded = true
    accounts.loadError = ''
  } catch (e) {
    if (!sessionEnded(e)) accounts.loadError = (e as Error).message
  }
}

/** isLocked reports whether wrong PINs keep a's owner out now. */
export function isLocked(a: StaffAccount, now = Date.now()): boolean {
  return a.locked_until !== null && Date.parse(a.locked_until) > now
}

// run does one change, says what happened, and reloads the list either way. The
// error (weak PIN, name taken, last admin…) is thrown too, so a dialog can stay open
// on it and let the admin correct the entry.
async function run(label: string, f: () => Promise<unknown>, key: DoneKey, name: string): Promise<void> {
  if (accounts.busy) throw new ApiError('busy', i18n.global.t('settings.busy'))
  accounts.busy = label
  accounts.error = ''
  accounts.done = null
  try {
    await f()
    accounts.done = { key, name }
  } catch (e) {
    if (!sessionEnded(e)) accounts.error = (e as Error).message
    throw e
  } finally {
    accounts.busy = ''
    if (staff.session) await loadAccounts()
  }
}

/** addAccount creates an account with a PIN the admin entered twice. */
export function addAccount(name: string, role: Role, pin: string): Promise<void> {
  const n = name.trim()
  return run('add', () => api.addStaff(n, role, pin), 'added', n)
}

/** resetPin gives an account a new PIN; it also unlocks it and logs it out everywhere. */
export function resetPin(name: string, pin: string): Promise<void> {
  return run('pin:' + name, () => api.setStaffPin(name, pin), 'pin', name)
}

/** unlock lifts the lock of wrong PINs; the PIN stays. */
export function unlock(name: string): Promise<void> {
  return run('unlock:' + name, () => api.unlockStaff(name), 'unlocked', name)
}

/** setRole makes an account staff or admin. */
export function setRole(name: string, role: Role): Promise<void> {
  return run('role:' + name, () => api.setStaffRole(name, role), role, name)
}

/** remove deletes an account; its sessions end at once, histories keep the name. */
export function remove(name: string): Promise<void> {
  return run('remove:' + name, () => api.removeStaff(name), 'removed', name)
}

