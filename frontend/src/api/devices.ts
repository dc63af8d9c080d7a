// Kiosk devices, the LAN's ticket setting and the station's HTTPS certificate, for
// the admin's 安全 tab (docs/security.md).
import { request } from './client'
import type { KioskDevice, LANSettings } from './types'

/** listDevices returns the enrolled kiosk devices by name (admin). */
export function listDevices(): Promise<KioskDevice[]> {
  return request('GET', '/api/v1/kiosk-devices')
}

/**
 * addDevice enrols a device (admin) and returns it with its token, shown once. With
 * thisBrowser the browser in use keeps the token as a cookie: it becomes the device.
 */
export function addDevice(name: string, thisBrowser: boolean): Promise<KioskDevice & { token: string }> {
  return request('POST', '/api/v1/kiosk-devices', { body: { name, this_browser: thisBrowser } })
}

/** removeDevice revokes a device at once (admin). */
export async function removeDevice(id: string): Promise<void> {
  await request('DELETE', `/api/v1/kiosk-devices/${encodeURIComponent(id)}`)
}

/** getLANSettings returns whether any LAN client may take tickets (admin). */
export function getLANSettings(): Promise<LANSettings> {
  return request('GET', '/api/v1/lan-settings')
}

/** setLANSettings opens or closes taking tickets to the whole LAN (admin). */
export function setLANSettings(open: boolean): Promise<LANSettings> {
  return request('PUT', '/api/v1/lan-settings', { body: { open_tickets: open } })
}

/** TLSState is whether the LAN listener serves HTTPS, and its CA's fingerprint. */
export interface TLSState {
  enabled: boolean
  fingerprint?: string
  ca_not_after?: string
  cert_not_after?: string
  names?: string[]
}

/** getTLS returns the station's HTTPS state (staff). */
export function getTLS(): Promise<TLSState> {
  return request('GET', '/api/v1/tls')
}
