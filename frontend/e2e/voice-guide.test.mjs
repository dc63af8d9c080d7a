// The kiosk's spoken guidance (语音引导), heard as a person who cannot read the screen
// hears it: the exact sequence of clips each screen and each tap produces, through the
// real guide, queue and audio player. Only the audio element's play() is watched, and
// its clips made to end quickly, so the test hears the order without the wait.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  VIEWPORTS,
  assertFits,
  assertNoPageErrors,
  launchBrowser,
  openKiosk,
  screenshot,
  startServer,
} from './helpers.mjs'

let server
let idleServer
let browser

before(async () => {
  server = await startServer()
  // The idle reset, shortened as a station would configure it (idle.test.mjs).
  idleServer = await startServer(['--idle-warning', '3s', '--idle-countdown', '2s'])
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
  await idleServer?.stop()
})

// Every play() is recorded by its path and "ends" 20 ms later; a pause (the guide
// cutting a clip short) cancels the pending end, as a real element would.
function instrumentAudio() {
  window.__clips = []
  const ends = new WeakMap()
  HTMLMediaElement.prototype.play = function () {
    clearTimeout(ends.get(this))
    window.__clips.push(new URL(this.src).pathname)
    ends.set(
      this,
      setTimeout(() => this.dispatchEvent(new Event('ended')), 20),
    )
    return Promise.resolve()
  }
  HTMLMediaElement.prototype.pause = function () {
    clearTimeout(ends.get(this))
  }
}

async function openGuided(url, opts = {}) {
  const page = await browser.context.newPage()
  page.pageErrors = []
  page.on('pageerror', (err) => page.pageErrors.push(err.message))
  await page.addInitScript(instrumentAudio)
  await page.setViewportSize(opts.viewport ?? VIEWPORTS.kiosk)
  await page.goto(url)
  await page.locator('[data-test=voice-guide]').waitFor()
  return page
}

const g = (name) => `/voice/guide/${name}.ogg`
const b = (name) => `/voice/${name}.ogg`

/**
 * hears runs act and checks that exactly the clips expected are played after it, in
 * order, and nothing more within a short while.
 */
async function hears(page, act, expected, what) {
  const from = await page.evaluate(() => window.__clips.length)
  await act()
  await page
    .waitForFunction(([n, m]) => window.__clips.length >= n + m, [from, expected.length], { timeout: 10_000 })
    .catch(() => {})
  // Long enough for a clip that should not be there (20 ms each, 150 ms apart) to show.
  await page.waitForTimeout(400)
  const got = await page.evaluate((n) => window.__clips.slice(n), from)
  assert.deepEqual(got, expected, what)
}

const toggle = (page) => page.locator('[data-test=voice-guide]')

describe('voice guide', () => {
  test('the home screen offers it, large, in both orientations', async () => {
    for (const [name, viewport] of [
      ['landscape', VIEWPORTS.fullHD],
      ['portrait', VIEWPORTS.portrait],
    ]) {
      const page = await openKiosk(browser.context, server.url, { viewport })
      const button = toggle(page)
      assert.match(await button.textContent(), /语音引导/)
      assert.equal(await button.getAttribute('aria-checked'), 'false')
      const box = await button.boundingBox()
      assert.ok(box.height >= 80 && box.width >= 500, `${name}: the button is ${box.width}×${box.height}`)
      await assertFits(page, `home with the voice guide, ${name}`)
      await screenshot(page, `kiosk-home-voice-guide-${name}`)
      await page.click('[data-test=elderly-toggle]')
      await assertFits(page, `home with the voice guide, large text, ${name}`)
      await screenshot(page, `kiosk-home-voice-guide-${name}-large`)
      assertNoPageErrors(page)
      await page.close()
    }
  })

  test('home → ticket → service → priority → ticket, then 完成 ends it', async () => {
    const page = await openGuided(server.url, { viewport: VIEWPORTS.fullHD })
    await hears(page, () => toggle(page).click(), [g('on'), g('home')], 'turning it on')
    assert.equal(await toggle(page).getAttribute('aria-checked'), 'true')
    await screenshot(page, 'kiosk-home-voice-guide-on')

    await hears(page, () => page.click('[data-test=choice-ticket]'), [g('take-ticket'), g('choose-service')], 'the services')
    await page.locator('[data-test=service-B]').waitFor()
    await hears(page, () => page.click('[data-test=service-B]'), [b('B'), g('kind-of-service'), g('priority')], 'the priority question')

    const from = await page.evaluate(() => window.__clips.length)
    await page.click('[data-test=priority-no]')
    const number = (await page.locator('[data-test=ticket-number]').textContent()).trim()
    assert.match(number, /^B\d{3}$/)
    const expected = [g('no-priority'), g('your-number'), ...[...number].map(b), b('hao'), g('wait-call')]
    await page.waitForFunction(([n, m]) => window.__clips.length >= n + m, [from, expected.length])
    await page.waitForTimeout(400)
    assert.deepEqual(
      await page.evaluate((n) => window.__clips.slice(n), from),
      expected,
      'the ticket: 这是您的号码 B0xx 号，请等候叫号',
    )

    // 完成 is heard, and then nothing: the next person finds a quiet kiosk.
    await hears(page, () => page.click('[data-test=primary]'), [g('done')], '完成')
    await page.locator('[data-test=choice-ticket]').waitFor()
    assert.equal(await toggle(page).getAttribute('aria-checked'), 'false')
    await hears(page, () => page.click('[data-test=choice-ticket]'), [], 'a tap once it is off')
    assertNoPageErrors(page)
    await page.close()
  })

  test('the ID keypad reads back each key, 删除 and 清空', async () => {
    const page = await openGuided(server.url)
    await hears(page, () => toggle(page).click(), [g('on'), g('home')], 'turning it on')
    await hears(page, () => page.click('[data-test=choice-lookup]'), [g('entitlements'), g('lookup')], 'the lookup')
    await hears(page, () => page.click('[data-test=lookup-personal]'), [g('card-progress'), g('notice')], 'the notice')
    await hears(page, () => page.click('[data-test=agree]'), [g('agree'), g('enter-id')], 'the ID step')
    const key = (k) => page.click(`[data-test=keypad] [data-key="${k}"]`)
    await hears(
      page,
      async () => {
        for (const k of ['1', '4', '0', '9', 'X', 'back']) await key(k)
      },
      [b('1'), b('4'), b('0'), b('9'), b('X'), g('delete')],
      'the keys, in order',
    )
    assert.equal((await page.locator('[data-test=id-display]').textContent()).replace(/\s/g, ''), '1409')
    await hears(page, () => page.click('[data-test=clear]'), [g('clear')], '清空')
    await hears(page, () => page.click('[data-test=back]'), [g('back'), g('notice')], '返回 to the notice')
    await hears(page, () => page.click('[data-test=home]'), [g('home-button'), g('home')], '返回首页')
    assertNoPageErrors(page)
    await page.close()
  })

  test('我有预约 says each step: the ID number, the code, and none found', async () => {
    const page = await openGuided(server.url)
    await hears(page, () => toggle(page).click(), [g('on'), g('home')], 'turning it on')
    await hears(page, () => page.click('[data-test=choice-appointment]'), [g('appointment'), g('enter-id')], 'the ID step')
    await hears(page, () => page.click('[data-test=use-code]'), [g('use-code'), g('enter-code')], 'the code step')
    const key = (k) => page.click(`[data-test=keypad] [data-key="${k}"]`)
    await hears(
      page,
      async () => {
        for (const k of '000001') await key(k)
      },
      [...'000001'].map(b),
      'the digits',
    )
    // Nobody booked with this code: the none-found screen says so.
    await hears(page, () => page.click('[data-test=submit]'), [g('check-in'), g('no-appointment')], 'none found')
    assertNoPageErrors(page)
    await page.close()
  })

  test('an English session shows "Voice guide" and speaks Mandarin all the same', async () => {
    const page = await openGuided(server.url)
    await page.click('[data-test=lang-en]')
    assert.match(await toggle(page).textContent(), /Voice guide/)
    assert.match(await toggle(page).textContent(), /Mandarin/)
    await hears(page, () => toggle(page).click(), [g('on'), g('home')], 'turning it on')
    await hears(page, () => toggle(page).click(), [g('off')], 'turning it off is said too')
    assert.equal(await toggle(page).getAttribute('aria-checked'), 'false')
    assertNoPageErrors(page)
    await page.close()
  })

  test('the idle warning is spoken, and the idle reset ends the guide', async () => {
    const page = await openGuided(idleServer.url)
    await hears(page, () => toggle(page).click(), [g('on'), g('home')], 'turning it on')
    await hears(page, () => page.click('[data-test=choice-ticket]'), [g('take-ticket'), g('choose-service')], 'the services')
    const from = await page.evaluate(() => window.__clips.length)
    await page.locator('[data-test=idle-warning]').waitFor({ state: 'visible', timeout: 6_000 })
    await page.waitForFunction((n) => window.__clips.includes('/voice/guide/idle.ogg', n), from)
    // Reset: home, the guide off, and nothing more said.
    await page.locator('[data-test=choice-ticket]').waitFor({ timeout: 5_000 })
    await page.locator('[data-test=idle-warning]').waitFor({ state: 'hidden' })
    assert.equal(await toggle(page).getAttribute('aria-checked'), 'false')
    await page.waitForTimeout(500)
    assert.deepEqual(await page.evaluate((n) => window.__clips.slice(n), from), [g('idle')])
    assertNoPageErrors(page)
    await page.close()
  })

  test('a guide clip really plays to its end in the browser', async () => {
    const page = await browser.context.newPage()
    await page.addInitScript(() => {
      window.__ended = []
      const play = HTMLMediaElement.prototype.play
      HTMLMediaElement.prototype.play = function () {
        const clip = new URL(this.src).pathname
        this.addEventListener('ended', () => window.__ended.push(clip), { once: true })
        return play.call(this)
      }
    })
    await page.goto(server.url)
    await toggle(page).click()
    await page.waitForFunction(() => window.__ended.length >= 1, null, { timeout: 10_000 })
    assert.deepEqual((await page.evaluate(() => window.__ended)).slice(0, 1), [g('on')])
    await page.close()
  })
})
