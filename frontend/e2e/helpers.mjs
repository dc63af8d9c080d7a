// Shared set-up for the browser tests: a real station server on a fresh data folder,
// Debian's Chromium driven by playwright-core, and screenshots a person can look at.
// Nothing here is faked: the tests see exactly what a kiosk user would.
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '..', '..')

/** The viewports the kiosk is designed for (DESIGN.md, "The look"). */
export const VIEWPORTS = {
  kiosk: { width: 1280, height: 800 },
  fullHD: { width: 1920, height: 1080 },
  portrait: { width: 1080, height: 1920 },
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
 * folder, with demo data, and resolves once it says where it listens.
 * @param {string[]} extraArgs flags added after the standard ones
 * @returns {Promise<{url: string, stop: () => Promise<void>}>}
 */
export async function startServer(extraArgs = []) {
  const bin = process.env.BINGZHAN_BIN
  if (!bin) {
    throw new Error('BINGZHAN_BIN is not set: build the station binary (make) and point BINGZHAN_BIN at it')
  }
  const data = await mkdtemp(join(tmpdir(), 'bingzhan-e2e-'))
  const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--data', data, '--demo', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise((res) => child.once('exit', res))

  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`station did not start within 20 s:\n${stderr}`)), 20_000)
    createInterface({ input: child.stdout }).on('line', (line) => {
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
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
      await rm(data, { recursive: true, force: true })
    },
  }
}

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
 * <repo>/test-artifacts/screenshots), for a person to judge.
 */
export async function screenshot(page, name) {
  const dir = process.env.SCREENSHOT_DIR || join(repoRoot, 'test-artifacts', 'screenshots')
  await mkdir(dir, { recursive: true })
  // Let transitions (Vant's popup fade, the button press) settle first.
  await page.waitForTimeout(350)
  await page.screenshot({ path: join(dir, `${name}.png`) })
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
