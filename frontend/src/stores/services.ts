// The services store: what the kiosk offers tickets for, and how long each queue is.
import { reactive } from 'vue'
import { listServices, type Service } from '../api'

/** ServicesState is the list of services and the state of its last load. */
export interface ServicesState {
  list: Service[]
  loaded: boolean
  loading: boolean
  error: string
}

/** services is the shared services state. */
export const services = reactive<ServicesState>({
  list: [],
  loaded: false,
  loading: false,
  error: '',
})

/** loadServices refreshes the list; queue lengths change, so every visit reloads it. */
export async function loadServices(): Promise<void> {
  services.loading = true
  services.error = ''
  try {
    services.list = await listServices()
    services.loaded = true
  } catch (e) {
    services.error = (e as Error).message
  } finally {
    services.loading = false
  }
}

/** findService returns the service with the given letter, if the list has it. */
export function findService(letter: string): Service | undefined {
  return services.list.find((s) => s.letter === letter)
}

/** fetchServices returns the enabled services as they are now, leaving the kiosk's list alone. */
export function fetchServices(): Promise<Service[]> {
  return listServices()
}
