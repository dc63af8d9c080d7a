// Shared set-up for the browser tests: a real station server on a fresh data folder,
// Debian's Chromium driven by playwright-core, and screenshots a person can look at.
// Nothing here is faked: the tests see exactly what a kiosk user would.
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'
import { randomUUID } from 'node:crypto'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '..', '..')

/** The viewports the kiosk is designed for (DESIGN.md, "The look"). */
export const VIEWPORTS = {
  kiosk: { width: 1280, height: 800 },
  fullHD: { width: 1920, height: 1080 },
  portrait: { width: 1080, height: 1920 },
}

/** The screens of the township office PCs the staff console must serve whole. */
export const OFFICE_VIEWPORTS = {
  '1366x768': { width: 1366, height: 768 },
  '1280x1024': { width: 1280, height: 1024 },
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * startServer runs `$BINGZHAN_BIN serve` on a free loopback port and a fresh data
 * folder, with demo data, and resolves once it says where it listens. `people` holds
 * the demo persons it prints for the personal lookup, by card status (docs/lookup.md).
 * @param {string[]} extraArgs flags added after the standard ones
 * @param {{setup?: (data: string, bin: string) => Promise<void>, demo?: boolean, data?: string, keep?: boolean}} [opts]
 *   setup runs on the fresh data folder before the server starts (e.g. `staff add`);
 *   demo: false starts a station as a package installs it — no demo data, no account;
 *   data starts it on that folder instead of a fresh one (a restart of a stopped
 *   station); keep: stop leaves the folder, for such a restart
 * @returns {Promise<{url: string, data: string, people: Record<string, DemoPerson>, stop: () => Promise<void>}>}
 */
export async function startServer(extraArgs = [], opts = {}) {
  const bin = process.env.BINGZHAN_BIN
  if (!bin) {
    throw new Error('BINGZHAN_BIN is not set: build the station binary (make) and point BINGZHAN_BIN at it')
  }
  const data = opts.data ?? (await mkdtemp(join(tmpdir(), 'bingzhan-e2e-')))
  if (opts.setup) await opts.setup(data, bin)
  const demo = opts.demo === false ? [] : ['--demo']
  const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--data', data, ...demo, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise((res) => child.once('exit', res))

  const people = {}
  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`station did not start within 20 s:\n${stderr}`)), 20_000)
    createInterface({ input: child.stdout }).on('line', (line) => {
      // "  ready  141002195808121452  2590  VETERAN,RURAL_VET_60  待领取"
      const p = line.match(/^\s+([a-z]+)\s+(\d{17}[\dX])\s+(\d{4})\s+(\S+)\s+(\S+)\s*$/)
      if (p) people[p[1]] ??= { status: p[1], id: p[2], last4: p[3], categories: p[4].split(','), statusName: p[5] }
      const m = line.match(/^listening on (http:\/\/127\.0\.0\.1:\d+)/)
      if (m) {
        clearTimeout(timer)
        res(m[1])
      }
    })
    exited.then((code) => {
      clearTimeout(timer)
      rej(new Error(`station exited with ${code} before listening:\n${stderr}`))
    })
  })

  return {
    url,
    data,
    people,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
      if (!opts.keep) await rm(data, { recursive: true, force: true })
    },
  }
}

/**
 * @typedef {{status: string, id: string, last4: string, categories: string[], statusName: string}} DemoPerson
 * A synthetic person of the demo registry, as the station prints it at start.
 */

/**
 * launchBrowser starts Chromium with a fresh profile. Each test opens its own page, and
 * a new page is a new kiosk session: the app keeps its state in memory only.
 * @returns {Promise<{context: import('playwright-core').BrowserContext, close: () => Promise<void>}>}
 */
export async function launchBrowser() {
  const profile = await mkdtemp(join(tmpdir(), 'bingzhan-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: VIEWPORTS.kiosk,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  })
  return {
    context,
    async close() {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}

/**
 * openKiosk opens a fresh kiosk page at path and records uncaught page errors, which
 * assertNoPageErrors checks at the end of a test.
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} url the server's base URL
 * @param {{path?: string, viewport?: {width: number, height: number}}} [opts]
 */
export async function openKiosk(context, url, opts = {}) {
  const page = await context.newPage()
  page.pageErrors = []
  page.on('pageerror', (err) => page.pageErrors.push(err.message))
  await page.setViewportSize(opts.viewport ?? VIEWPORTS.kiosk)
  await page.goto(url + (opts.path ?? '/'))
  await page.locator('#app > *').first().waitFor()
  return page
}

/** assertNoPageErrors fails the test if the page threw. */
export function assertNoPageErrors(page) {
  assert.deepEqual(page.pageErrors, [], 'the page threw errors')
}

/**
 * screenshot saves the page as $SCREENSHOT_DIR/<name>.png (default
 * <repo>/test-artifacts/screenshots), for a person to judge, and checks the screen
 * with assertAccessible: every screen a test shows a person is a screen axe reads.
 */
export async function screenshot(page, name, opts = {}) {
  const dir = process.env.SCREENSHOT_DIR || join(repoRoot, 'test-artifacts', 'screenshots')
  await mkdir(dir, { recursive: true })
  // Let transitions (Vant's popup fade, the button press) settle first.
  await page.waitForTimeout(350)
  await page.screenshot({ path: join(dir, `${name}.png`) })
  await assertAccessible(page, name, opts.axeSkip)
}

/** The WCAG levels the station answers to: 2.0 and 2.1, A and AA. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
let axeSource

/**
 * assertAccessible runs axe-core on the page as it stands and fails on any serious or
 * critical violation of AXE_TAGS, listing rule, impact, element and what is wrong.
 *
 * The station's Content-Security-Policy allows no inline script, so page.addScriptTag
 * (which inserts the file's text as an inline <script>) is refused. page.evaluate goes
 * through the DevTools protocol, which CSP does not govern, so axe is evaluated that
 * way instead: the page keeps its real policy (no bypassCSP), and security.test still
 * sees it. axe stays on window until the next full load, so a screen after an in-app
 * navigation costs only the run.
 * @param {string[]} [skip] axe rule ids not to check here; each use says why, and is a
 *   known fault to fix, not a pass
 */
export async function assertAccessible(page, name, skip = []) {
  axeSource ??= await readFile(axePath, 'utf8')
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource)
  const violations = await page.evaluate(async ({ tags, skip }) => {
    const rules = Object.fromEntries(skip.map((id) => [id, { enabled: false }]))
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, rules, resultTypes: ['violations'] })
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary.replace(/\s+/g, ' ') })),
      }))
  }, { tags: AXE_TAGS, skip })
  const list = violations
    .flatMap((v) => v.nodes.map((n) => `  ${v.id} (${v.impact}) ${n.target}: ${v.help}. ${n.summary}`))
    .join('\n')
  assert.equal(list, '', `${name}: axe finds serious or critical accessibility violations:\n${list}`)
}

/** waitingCount returns how many tickets wait in a service's queue, from the API. */
export async function waitingCount(url, letter) {
  const res = await fetch(`${url}/api/v1/queue`)
  assert.equal(res.status, 200)
  const q = await res.json()
  return q.services.find((s) => s.letter === letter)?.waiting ?? 0
}

/** pxOf returns the computed value of a CSS length property, in pixels. */
export async function pxOf(locator, property) {
  return locator.evaluate((el, p) => parseFloat(getComputedStyle(el).getPropertyValue(p)), property)
}

/** takeTicket walks home → services → priority answer and waits for the ticket. */
export async function takeTicket(page, letter, priority) {
  await page.click('[data-test=choice-ticket]')
  await page.click(`[data-test=service-${letter}]`)
  await page.click(priority ? '[data-test=priority-yes]' : '[data-test=priority-no]')
  await page.locator('[data-test=ticket-number]').waitFor()
}

/**
 * assertFits checks that the page needs no scrolling: every primary action is on screen
 * without it, as DOMAIN.md asks of a kiosk.
 */
export async function assertFits(page, what) {
  const size = await page.evaluate(() => ({
    scrollW: document.documentElement.scrollWidth,
    scrollH: document.documentElement.scrollHeight,
    w: window.innerWidth,
    h: window.innerHeight,
  }))
  assert.ok(size.scrollW <= size.w, `${what}: page is wider than the screen (${size.scrollW} > ${size.w})`)
  assert.ok(size.scrollH <= size.h, `${what}: page is taller than the screen (${size.scrollH} > ${size.h})`)
}

/**
 * runBin runs the station binary with args (e.g. `staff add`) and resolves with its
 * output; it rejects if the command fails.
 * @param {string[]} args
 * @returns {Promise<string>}
 */
export function runBin(args) {
  const bin = process.env.BINGZHAN_BIN
  return new Promise((res, rej) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (out += c))
    child.once('exit', (code) => (code === 0 ? res(out) : rej(new Error(`${args.join(' ')} exited with ${code}:\n${out}`))))
  })
}

/**
 * addStaff creates a staff account on a stopped station's data folder, as an operator
 * would (`bingzhan staff add`); use it in startServer's setup.
 */
export async function addStaff(data, name, role, pin) {
  await runBin(['staff', 'add', '--data', data, '--name', name, '--role', role, '--pin', pin])
}

/**
 * staffApi logs in through the API and returns helpers that act with the Bearer token,
 * for tests that need the station to do something the page under test then shows.
 */
export async function staffApi(url, name, pin) {
  const res = await fetch(`${url}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, pin }),
  })
  assert.equal(res.status, 200, `login ${name}`)
  const { token } = await res.json()
  const call = async (method, path, body) => {
    const r = await fetch(url + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await r.text()
    return { status: r.status, body: text ? JSON.parse(text) : null }
  }
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
    patch: (path, body) => call('PATCH', path, body),
    delete: (path) => call('DELETE', path),
  }
}

/** issueTickets takes n tickets for service letter through the kiosk API. */
export async function issueTickets(url, letter, n, priority = false) {
  const numbers = []
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ service: letter, priority, request_id: randomUUID() }),
    })
    assert.ok(res.status === 200 || res.status === 201, `issue ticket: ${res.status}`)
    numbers.push((await res.json()).number)
  }
  return numbers
}

/**
 * assertReadable fails if any visible text on the page is smaller than minPx or is cut
 * off: clipped by its own box or an ancestor's (an ellipsis, overflow: hidden, a line
 * clamp), where no scrolling brings it back. Text in a scroll container counts as
 * reachable; assertFits is the check for a page that must not scroll at all.
 */
export async function assertReadable(page, what, minPx = 14) {
  const problems = await page.evaluate((minPx) => {
    const out = []
    const name = (el) => {
      const test = el.getAttribute('data-test')
      const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/)[0] : ''
      return `${el.tagName.toLowerCase()}${test ? `[data-test=${test}]` : cls} «${el.textContent.trim().slice(0, 24)}»`
    }
    for (const el of document.body.querySelectorAll('*')) {
      const texts = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim())
      if (!texts.length) continue
      if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue
      const range = document.createRange()
      range.setStartBefore(texts[0])
      range.setEndAfter(texts[texts.length - 1])
      const r = range.getBoundingClientRect()
      if (r.width === 0 || r.height === 0) continue
      const box = el.getBoundingClientRect()
      if (box.width <= 1 || box.height <= 1) continue // visually hidden, for screen readers
      const cs = getComputedStyle(el)
      const fs = parseFloat(cs.fontSize)
      if (fs < minPx) out.push(`${name(el)}: ${fs} px`)
      const clipsX = cs.overflowX !== 'visible'
      const clipsY = cs.overflowY !== 'visible'
      if ((clipsX && el.scrollWidth > el.clientWidth + 1) || (clipsY && el.scrollHeight > el.clientHeight + 1)) {
        if (!/auto|scroll/.test(cs.overflowX + cs.overflowY)) out.push(`${name(el)}: cut by its own box`)
      }
      for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
        const acs = getComputedStyle(a)
        if (/auto|scroll/.test(acs.overflowX + acs.overflowY)) break
        if (acs.overflowX === 'visible' && acs.overflowY === 'visible') continue
        const ar = a.getBoundingClientRect()
        if (ar.width <= 1 || ar.height <= 1) break // a visually hidden label, for screen readers
        const outX = acs.overflowX !== 'visible' && (r.left < ar.left - 1 || r.right > ar.right + 1)
        const outY = acs.overflowY !== 'visible' && (r.top < ar.top - 1 || r.bottom > ar.bottom + 1)
        if (outX || outY) {
          out.push(`${name(el)}: cut by ${name(a).split(' «')[0]}`)
          break
        }
      }
    }
    return [...new Set(out)]
  }, minPx)
  assert.deepEqual(problems, [], `${what}: text too small or cut off:\n  ${problems.join('\n  ')}`)
}

/** tapKeys taps characters on the on-screen keypad, as a finger would. */
export async function tapKeys(page, text) {
  for (const ch of text) await page.click(`[data-test=keypad] [data-key="${ch}"]`)
}

/** wrongDigits returns four digits that differ from last4 in every place. */
export function wrongDigits(last4) {
  return [...last4].map((d) => String((Number(d) + 5) % 10)).join('')
}

/**
 * dueCount reads an outreach tab's count (plaque, festival, honour), waiting until it is
 * a number: it shows … until its list has loaded, which on a busy machine is later.
 */
export async function dueCount(page, kind) {
  const count = page.locator(`[data-test=count-${kind}]`)
  await count.filter({ hasText: /^\d+$/ }).waitFor()
  return Number(await count.textContent())
}
