// assertNoCutText: the check behind "nothing cut without a sign" (issue 17). It fails
// when any visible text on the page is cut off: clipped by a box too small for it, cut
// to "…" or a line clamp, pushed past the screen's edge, hidden in a scrolling area
// that shows no sign that more is there, covered by the screen's buttons, or a word
// broken across two lines.
import assert from 'node:assert/strict'

/**
 * assertNoCutText fails with a list of what is cut, element by element.
 * A scrolling area passes only when it says so: it, or an element inside it or right
 * after it, carries data-more-cue and is visible (上下滑动可以查看更多, or 上一页 / 下一页).
 * @param {import('playwright-core').Page} page
 * @param {string} what the screen, for the message
 */
export async function assertNoCutText(page, what) {
  const problems = await cutText(page)
  assert.deepEqual(problems, [], `${what}: text is cut:\n  ${problems.join('\n  ')}`)
}

/**
 * cutText returns what assertNoCutText finds wrong, one line per element.
 * @param {import('playwright-core').Page} page
 * @returns {Promise<string[]>}
 */
export async function cutText(page) {
  return page.evaluate(() => {
    const out = []
    const vw = window.innerWidth
    const vh = window.innerHeight
    const describe = (el) => {
      const t = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ')
      return `<${el.tagName.toLowerCase()}${el.dataset.test ? ` data-test=${el.dataset.test}` : ''}${el.className && typeof el.className === 'string' ? ` class="${el.className}"` : ''}> "${t.slice(0, 40)}"`
    }
    const visible = (el) => {
      const s = getComputedStyle(el)
      if (s.visibility === 'hidden' || s.display === 'none' || Number(s.opacity) === 0) return false
      const r = el.getBoundingClientRect()
      return r.width > 0 && r.height > 0
    }
    // Text inside a scrolling area is judged by the area (its sign of more), not by
    // where the part scrolled away lies.
    const inScroller = (el) => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowY
        if (o === 'auto' || o === 'scroll') return true
      }
      return false
    }
    const hasOwnText = (el) => [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '')
    const cueFor = (el) => {
      const cues = [...el.querySelectorAll('[data-more-cue]')]
      if (el.hasAttribute('data-more-cue')) cues.push(el)
      if (el.nextElementSibling?.hasAttribute('data-more-cue')) cues.push(el.nextElementSibling)
      if (el.parentElement) cues.push(...el.parentElement.querySelectorAll(':scope > [data-more-cue]'))
      return cues.some((c) => c === el || visible(c))
    }
    for (const el of document.querySelectorAll('#app *, .van-overlay ~ * *, .van-popup *')) {
      if (!visible(el)) continue
      const s = getComputedStyle(el)
      const r = el.getBoundingClientRect()
      if (hasOwnText(el)) {
        if (!inScroller(el) && (r.right > vw + 1 || r.bottom > vh + 1 || r.left < -1 || r.top < -1)) {
          out.push(`${describe(el)} runs off the screen (${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)})`)
        }
        if (s.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1) out.push(`${describe(el)} is cut to "…"`)
        const clamp = s.webkitLineClamp && s.webkitLineClamp !== 'none'
        if (clamp && el.scrollHeight > el.clientHeight + 1) out.push(`${describe(el)} is clamped to ${s.webkitLineClamp} lines`)
      }
      const clips = (v) => v === 'hidden' || v === 'clip'
      const scrolls = (v) => v === 'auto' || v === 'scroll'
      const overX = el.scrollWidth > el.clientWidth + 2
      const overY = el.scrollHeight > el.clientHeight + 2
      if ((overX && clips(s.overflowX)) || (overY && clips(s.overflowY))) {
        if ((el.innerText || '').trim() !== '') out.push(`${describe(el)} clips its text (${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight})`)
      }
      if (((overX && scrolls(s.overflowX)) || (overY && scrolls(s.overflowY))) && !cueFor(el)) {
        out.push(`${describe(el)} scrolls with no sign that more is there`)
      }
    }
    // Text out of the card or button it is written in, or out of the card that
    // button is in, runs over what lies beside it. A box is what a person sees as
    // one: a border or a background. The text is
    // measured as drawn (its lines, not its element's box); a line's spare height
    // above and below its letters (a quarter of a large number's size) is not text
    // out of place.
    const drawn = (s) => s && s !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(s)
    const boxed = (p) => {
      const s = getComputedStyle(p)
      return drawn(s.backgroundColor) || ['Top', 'Right', 'Bottom', 'Left'].some((k) => parseFloat(s[`border${k}Width`]) > 0 && s[`border${k}Style`] !== 'none' && drawn(s[`border${k}Color`]))
    }
    for (const el of document.querySelectorAll('#app *')) {
      if (!hasOwnText(el) || !visible(el)) continue
      const range = document.createRange()
      range.selectNodeContents(el)
      const t = range.getBoundingClientRect()
      if (t.width === 0 || t.height === 0) continue
      const tol = Math.max(6, parseFloat(getComputedStyle(el).fontSize) * 0.25)
      for (let p = el; p && p !== document.body; p = p.parentElement) {
        const ps = getComputedStyle(p)
        if (p !== el && boxed(p)) {
          const q = p.getBoundingClientRect()
          if (t.left < q.left - tol || t.right > q.right + tol || t.top < q.top - tol || t.bottom > q.bottom + tol) {
            out.push(`${describe(el)} runs out of its box ${describe(p)}`)
            break
          }
        }
        if (ps.overflowX !== 'visible' || ps.overflowY !== 'visible') break
      }
    }
    // A word broken across lines ("entrepreneurshi / p") reads as two words: a Latin
    // or a Mongolian word stays on one line, or in one column.
    const word = /[A-Za-z]{2,}|[\u1820-\u18AF\u180E]{2,}/g
    for (const el of document.querySelectorAll('#app *, .van-popup *')) {
      if (!hasOwnText(el) || !visible(el)) continue
      const es = getComputedStyle(el)
      const vertical = es.writingMode.startsWith('vertical')
      const half = parseFloat(es.fontSize) / 2
      words: for (const n of el.childNodes) {
        if (n.nodeType !== Node.TEXT_NODE) continue
        for (const m of n.textContent.matchAll(word)) {
          const range = document.createRange()
          range.setStart(n, m.index)
          range.setEnd(n, m.index + m[0].length)
          const at = [...range.getClientRects()].filter((q) => q.width > 0 && q.height > 0).map((q) => (vertical ? q.left : q.top))
          if (at.length > 1 && Math.max(...at) - Math.min(...at) > half) {
            out.push(`${describe(el)} breaks "${m[0]}" across lines`)
            break words
          }
        }
      }
    }
    // A screen's buttons lying over its text: the text is there but cannot be read.
    const actions = [...document.querySelectorAll('.screen__actions .van-button')].filter(visible)
    for (const el of document.querySelectorAll('#app *')) {
      if (!hasOwnText(el) || !visible(el) || el.closest('.screen__actions')) continue
      // Only the part a clipping or scrolling box shows can lie under a button.
      const b = el.getBoundingClientRect()
      const r = { left: b.left, top: b.top, right: b.right, bottom: b.bottom }
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p)
        if (s.overflowX === 'visible' && s.overflowY === 'visible') continue
        const q = p.getBoundingClientRect()
        r.left = Math.max(r.left, q.left)
        r.top = Math.max(r.top, q.top)
        r.right = Math.min(r.right, q.right)
        r.bottom = Math.min(r.bottom, q.bottom)
      }
      if (r.right <= r.left || r.bottom <= r.top) continue
      const under = actions.find((b) => {
        const q = b.getBoundingClientRect()
        return r.left < q.right - 1 && q.left < r.right - 1 && r.top < q.bottom - 1 && q.top < r.bottom - 1
      })
      if (under) out.push(`${describe(el)} lies under the button ${describe(under)}`)
    }
    const d = document.documentElement
    if (d.scrollWidth > vw || d.scrollHeight > vh) out.push(`the page is ${d.scrollWidth}×${d.scrollHeight} on a ${vw}×${vh} screen`)
    return out
  })
}

/**
 * lyingMongolian returns, one line per element, the visible Mongolian text that lies on
 * its side: traditional Mongolian set in a horizontal line shows its letters turned a
 * quarter left, unreadable. Every word of it must stand in a column (vertical-lr).
 * @param {import('playwright-core').Page} page
 * @returns {Promise<string[]>}
 */
export async function lyingMongolian(page) {
  return page.evaluate(() => {
    const out = []
    const mongolian = /[\u1800-\u18AF]/
    for (const el of document.querySelectorAll('body *')) {
      const own = [...el.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent)
        .join('')
      if (!mongolian.test(own)) continue
      const s = getComputedStyle(el)
      if (s.visibility === 'hidden' || Number(s.opacity) === 0) continue
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.height === 0) continue
      if (s.writingMode.startsWith('vertical')) continue
      const text = own.trim().replace(/\s+/g, ' ')
      const cls = typeof el.className === 'string' && el.className ? ` class="${el.className}"` : ''
      out.push(`<${el.tagName.toLowerCase()}${el.dataset.test ? ` data-test=${el.dataset.test}` : ''}${cls}> "${text.slice(0, 24)}" lies on its side`)
    }
    return out
  })
}
