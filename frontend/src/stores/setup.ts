// A fresh station's set-up. A station installed from a package has no staff account,
// and the people who install it never open a terminal: its first admin is set up at
// the kiosk itself (FirstAdmin.vue), which only someone in the station can touch. The
// station says whether that is still to do and whether this screen is its kiosk;
// once anyone has an account, the staff log in as always.
import { reactive } from 'vue'
import * as api from '../api'
import { ApiError } from '../api'
import { staff } from './staff'

/** SetupState is what the station said about its set-up. */
export interface SetupState {
  /** False until the station has answered once. */
  checked: boolean
  /** The station has no account yet: its first admin is to be set up. */
  firstAdmin: boolean
  /** This screen is the station's kiosk, where the first admin is set up. */
  atKiosk: boolean
  /** The name of the first admin just set up here, for the console's word of welcome. */
  madeName: string
}

/** setup is the shared set-up state. */
export const setup = reactive<SetupState>({ checked: false, firstAdmin: false, atKiosk: false, madeName: '' })

/** loadSetup asks the station again; unreachable or older, it counts as set up (the login as always). */
export async function loadSetup(): Promise<void> {
  try {
    const s = await api.getSetup()
    setup.firstAdmin = s.first_admin
    setup.atKiosk = s.at_kiosk
  } catch {
    setup.firstAdmin = false
  } finally {
    setup.checked = true
  }
}

/**
 * makeFirstAdmin sets up the station's first admin and logs them in. The station's
 * refusal is thrown with its message: a weak PIN (enter another), or — when someone
 * was quicker, or this is not the kiosk — the set-up is read again, and the screen
 * turns to the login or to where the set-up is done.
 */
export async function makeFirstAdmin(name: string, pin: string): Promise<void> {
  try {
    staff.session = await api.setupFirstAdmin(name.trim(), pin)
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'conflict' || e.code === 'forbidden')) {
      staff.loginNotice = e.message
      await loadSetup()
    }
    throw e
  }
  staff.loginNotice = ''
  setup.firstAdmin = false
  setup.madeName = staff.session.name
}
