// The console's bookings (/staff/appointments): one day's list, masked as the station
// answers it, kept current by the station's events (a booking booked, checked in,
// served or cancelled; a ticket called or finished), and booking and cancelling.
import { reactive } from 'vue'
import * as api from '../api'
import { follow, type Live } from './live'
import { station } from './station'
import { newRequestId } from './tickets'

/** STATUSES are a booking's states in the order the console counts them. */
export const STATUSES: api.AppointmentStatus[] = ['booked', 'checked_in', 'served', 'missed', 'cancelled']

/** AppointmentsState is the day on screen and the state of its last load. */
export interface AppointmentsState {
  /** The day asked for, YYYY-MM-DD; '' until the station said which day today is. */
  date: string
  day: api.AppointmentDay | null
  loaded: boolean
  error: string
  /** The id of the booking being cancelled. */
  cancelling: string
}

/** appointments is the console's bookings state. */
export const appointments = reactive<AppointmentsState>({ date: '', day: null, loaded: false, error: '', cancelling: '' })

/** loadDay loads the bookings of the day on screen (today when none is chosen yet). */
export async function loadDay(): Promise<void> {
  const asked = appointments.date
  try {
    const day = await api.listAppointments(asked)
    // A day chosen while this one loaded wins.
    if (appointments.date !== asked) return
    appointments.day = day
    appointments.date = day.date
    appointments.error = ''
  } catch (e) {
    appointments.error = (e as Error).message
    throw e
  } finally {
    appointments.loaded = true
  }
}

/** showDay shows the bookings of date. */
export function showDay(date: string): void {
  if (!date || date === appointments.date) return
  appointments.date = date
  appointments.day = null
  void loadDay().catch(() => {})
}

/** counts returns how many of the day's bookings are in each status. */
export function counts(): Record<api.AppointmentStatus, number> {
  const out = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<api.AppointmentStatus, number>
  for (const a of appointments.day?.appointments ?? []) out[a.status]++
  return out
}

/** FormBooking is what the new-booking form holds; a request id is made once per form. */
export interface FormBooking {
  service: string
  date: string
  time: string
  name: string
  idNumber: string
  phone: string
  requestId: string
}

/** emptyBooking is a fresh form for date. */
export function emptyBooking(date: string): FormBooking {
  return { service: '', date, time: '', name: '', idNumber: '', phone: '', requestId: newRequestId() }
}

/** book books the form's person; the list shows the new booking if it is on its day. */
export async function book(f: FormBooking): Promise<api.Appointment> {
  const req: api.AppointmentRequest = { service: f.service, date: f.date, time: f.time, request_id: f.requestId }
  if (f.name.trim()) req.name = f.name.trim()
  if (f.idNumber.trim()) req.id_number = f.idNumber.trim().toUpperCase()
  if (f.phone.trim()) req.phone = f.phone.trim()
  const a = await api.bookAppointment(req)
  if (a.date === appointments.date) void loadDay().catch(() => {})
  return a
}

/** cancel cancels a booking and reloads the day. */
export async function cancel(id: string): Promise<void> {
  appointments.cancelling = id
  try {
    await api.cancelAppointment(id)
  } finally {
    appointments.cancelling = ''
    await loadDay().catch(() => {})
  }
}

/** SLOT_FIRST, SLOT_LAST and SLOT_STEP_MIN are the slots the form offers: 08:00 to 17:45. */
const SLOT_FIRST = 8 * 60
const SLOT_LAST = 17 * 60 + 45
const SLOT_STEP_MIN = 15

/**
 * slots returns the times the form offers for date: every quarter hour of the working
 * day, and for today only those the station still accepts (not later than the check-in
 * window after them).
 */
export function slots(date: string): string[] {
  const out: string[] = []
  const now = stationNow()
  const after = appointments.day?.window_after_min ?? 30
  for (let m = SLOT_FIRST; m <= SLOT_LAST; m += SLOT_STEP_MIN) {
    if (date === now.date && m + after < now.minutes) continue
    out.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`)
  }
  return out
}

// stationNow is today's date and the minutes since midnight in the station's zone: a
// staff PC may keep another zone than the station.
function stationNow(): { date: string; minutes: number } {
  let zone = station.info?.timezone
  try {
    if (zone) new Intl.DateTimeFormat('en', { timeZone: zone })
  } catch {
    zone = undefined
  }
  const parts = new Intl.DateTimeFormat('en-CA', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: zone,
  }).formatToParts(new Date())
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00'
  return { date: `${get('year')}-${get('month')}-${get('day')}`, minutes: Number(get('hour')) * 60 + Number(get('minute')) }
}

let live: Live | null = null
let reloadTimer: ReturnType<typeof setTimeout> | null = null

// A check-in is a booking event and a ticket event at once: one reload for both.
function scheduleReload(): void {
  if (reloadTimer) return
  reloadTimer = setTimeout(() => {
    reloadTimer = null
    void loadDay().catch(() => {})
  }, 150)
}

/** followDay keeps the list current while the page is open; stopDay ends it. */
export function followDay(): void {
  stopDay()
  live = follow({
    events: { appointment: scheduleReload, ticket: scheduleReload, reset: scheduleReload },
    poll: loadDay,
    pollMs: 15_000,
  })
}

/** stopDay stops following the station and forgets the day. */
export function stopDay(): void {
  live?.stop()
  live = null
  if (reloadTimer) clearTimeout(reloadTimer)
  reloadTimer = null
  Object.assign(appointments, { date: '', day: null, loaded: false, error: '', cancelling: '' })
}
