import { onBeforeUnmount, ref, type Ref } from 'vue'

/**
 * usePortrait says, and keeps saying, whether the screen stands upright: for the few
 * layouts CSS alone cannot change (a grid's column count set from data).
 */
export function usePortrait(): Ref<boolean> {
  const query = window.matchMedia('(orientation: portrait)')
  const portrait = ref(query.matches)
  const update = (e: MediaQueryListEvent): void => {
    portrait.value = e.matches
  }
  query.addEventListener('change', update)
  onBeforeUnmount(() => query.removeEventListener('change', update))
  return portrait
}
