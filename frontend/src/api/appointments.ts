// 预约: staff book a person for a slot in the console; at the kiosk the person checks
// in with their ID number or the booking's code (docs/api.md, "Appointments").
import { PRINT_TIMEOUT_MS, request } from './client'
import type { Appointment, AppointmentDay, AppointmentRequest, CheckIn, CheckInRequest } from './types'

/** bookAppointment books a slot; repeating a request_id returns the first booking. */
export function bookAppointment(req: AppointmentRequest): Promise<Appointment> {
  return request('POST', '/api/v1/appointments', { body: req })
}

/** listAppointments returns the bookings of date (YYYY-MM-DD; today when empty). */
export function listAppointments(date = ''): Promise<AppointmentDay> {
  const q = date ? `?date=${encodeURIComponent(date)}` : ''
  return request('GET', `/api/v1/appointments${q}`)
}

/** cancelAppointment cancels a booking nobody checked in yet. */
export function cancelAppointment(id: string): Promise<Appointment> {
  return request('POST', `/api/v1/appointments/${encodeURIComponent(id)}/cancel`)
}

/**
 * checkIn checks in today's booking by ID number or code and answers its ticket, which
 * the station prints as at 取号. A 409 ApiError whose body has `early` is too early;
 * 404 is no booking today.
 */
export function checkIn(req: CheckInRequest): Promise<CheckIn> {
  return request('POST', '/api/v1/appointments/check-in', { body: req, timeoutMs: PRINT_TIMEOUT_MS })
}
