// Traditional Mongolian (issue 17, point 6): a station that lists "mn-Mong" in
// config.json "languages" offers ᠮᠣᠩᠭᠣᠯ on the kiosk and the board; the text runs in
// vertical columns in the bundled Noto Sans Mongolian, ticket numbers and keypads stay
// upright, nothing is cut off at 1920×1080 and 1080×1920. A station without the setting
// neither offers it nor opens in it from ?lang=mn-Mong.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  VIEWPORTS,
  addStaff,
  assertFits,
  assertNoPageErrors,
  issueTickets,
  launchBrowser,
  openKiosk,
  screenshot,
  staffApi,
  startServer,
} from './helpers.mjs'
import { assertNoCutText } from './overflow.mjs'

const ADMIN = { name: '测试', pin: '246810' }
const FONT = '/fonts/NotoSansMongolian-Regular.woff2'
const SIZES = { '1080p': VIEWPORTS.fullHD, portrait: VIEWPORTS.portrait }

let browser

before(async () => {
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

/** fontFetched reports whether the page has downloaded the Mongolian font. */
function fontFetched(page) {
  return page.evaluate(
    (font) => performance.getEntriesByType('resource').some((e) => new URL(e.name).pathname === font),
    FONT,
  )
}

/** openMongolian opens path in Mongolian and waits until the station has switched it. */
async function openMongolian(url, path, viewport) {
  const page = await browser.context.newPage()
  page.pageErrors = []
  page.on('pageerror', (err) => page.pageErrors.push(err.message))
  await page.setViewportSize(viewport)
  await page.goto(url + path + (path.includes('?') ? '&' : '?') + 'lang=mn-Mong')
  await page.waitForFunction(() => document.documentElement.lang === 'mn-Mong')
  await page.evaluate(() => document.fonts.ready)
  return page
}

/** finishAt finishes what counter n has, so it can call the next. */
async function finishAt(api, n) {
  const waiting = (await api.get('/api/v1/waiting')).body
  const t = waiting.active.find((x) => x.counter === n)
  if (t) assert.equal((await api.post(`/api/v1/tickets/${t.id}/finish`, {})).status, 200)
}

/** style returns computed style properties of the first element matching selector. */
function style(page, selector, ...props) {
  return page
    .locator(selector)
    .first()
    .evaluate((el, ps) => Object.fromEntries(ps.map((p) => [p, getComputedStyle(el).getPropertyValue(p)])), props)
}

describe('a station with Mongolian', () => {
  let server
  let api

  before(async () => {
    server = await startServer([], {
      setup: async (data) => {
        await writeFile(join(data, 'config.json'), JSON.stringify({ languages: ['zh-CN', 'en', 'mn-Mong'] }))
        await addStaff(data, ADMIN.name, 'admin', ADMIN.pin)
      },
    })
    api = await staffApi(server.url, ADMIN.name, ADMIN.pin)
  })

  after(async () => {
    await server?.stop()
  })

  test('the station says it offers Mongolian', async () => {
    const st = await (await fetch(server.url + '/api/v1/station')).json()
    assert.deepEqual(st.languages, ['zh-CN', 'en', 'mn-Mong'])
  })

  test('the switch offers ᠮᠣᠩᠭᠣᠯ; choosing it sets lang, the font and vertical columns', async () => {
    const page = await openKiosk(browser.context, server.url, { viewport: VIEWPORTS.fullHD })
    const mn = page.locator('[data-test=lang-mn-Mong]')
    assert.equal((await mn.textContent()).trim(), 'ᠮᠣᠩᠭᠣᠯ')
    await mn.click()
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'mn-Mong')
    await page.evaluate(() => document.fonts.ready)
    // The title is Mongolian script, laid out in columns, in the bundled font, which
    // the browser fetched and loaded.
    const title = page.locator('.screen__title')
    assert.match(await title.textContent(), /[\u1820-\u1878]/)
    const s = await style(page, '.screen__title', 'writing-mode', 'font-family')
    assert.equal(s['writing-mode'], 'vertical-lr')
    assert.match(s['font-family'], /^"?Bingzhan Mongolian"?,/)
    assert.ok(await fontFetched(page), 'the Mongolian font was requested')
    assert.ok(
      await page.evaluate(() => document.fonts.check('32px "Bingzhan Mongolian"', 'ᠮᠣᠩᠭᠣᠯ')),
      'the Mongolian font is loaded',
    )
    // Its first word runs down the column: taller than wide.
    const word = await title.evaluate((el) => {
      const r = document.createRange()
      r.setStart(el.firstChild, 0)
      r.setEnd(el.firstChild, el.textContent.indexOf(' '))
      const b = r.getBoundingClientRect()
      return { w: b.width, h: b.height }
    })
    assert.ok(word.h > word.w, `the title's first word ${word.w}×${word.h} is not upright in a column`)
    // The clock stays horizontal.
    assert.equal((await style(page, '[data-test=time]', 'writing-mode'))['writing-mode'], 'horizontal-tb')
    assertNoPageErrors(page)
    await page.close()
  })

  test('a Chinese page does not download the Mongolian font', async () => {
    // The switch's own label is Mongolian: only a station without Mongolian shows a
    // page free of it (below); here the staff console, which has no switch to it.
    const page = await openKiosk(browser.context, server.url, { path: '/staff', viewport: VIEWPORTS.fullHD })
    await page.evaluate(() => document.fonts.ready)
    assert.equal(await fontFetched(page), false)
    await page.close()
  })

  test('the upright board in Mongolian fits with 4 and 6 counters', async () => {
    // A busy morning, as board.test.mjs's upright case: queues at most services, the
    // recent list full, a counter with a name of its own, two counters serving.
    await issueTickets(server.url, 'B', 12)
    for (let i = 0; i < 8; i++) {
      await finishAt(api, 2)
      await api.post('/api/v1/counters/2/call-next')
    }
    const names = { 3: '优待证办理窗口' }
    for (const count of [4, 6]) {
      for (let n = 3; n <= count; n++) {
        const put = await api.put(`/api/v1/counters/${n}`, { name: names[n] ?? '', services: ['A', 'B', 'C'] })
        assert.equal(put.status, 200, JSON.stringify(put.body))
      }
      await issueTickets(server.url, 'A', count)
      for (let n = 1; n <= count; n++) {
        await finishAt(api, n)
        const r = await api.post(`/api/v1/counters/${n}/call-next`)
        assert.equal(r.status, 200, JSON.stringify(r.body))
        if (n === 2 || n === 3) assert.equal((await api.post(`/api/v1/tickets/${r.body.id}/start`, {})).status, 200)
      }
      const what = `upright Mongolian board, ${count} counters`
      const page = await openMongolian(server.url, '/board', VIEWPORTS.portrait)
      await page.evaluate(() => localStorage.setItem('bingzhan.board.voice', 'on'))
      await page.reload()
      await page.waitForFunction(() => document.documentElement.lang === 'mn-Mong')
      await page.evaluate(() => document.fonts.ready)
      await page.waitForFunction((n) => document.querySelectorAll('.call:not(.call--idle)').length === n, count)
      await screenshot(page, `mongolian-board-portrait-${count}`)
      await assertFits(page, what)
      await assertNoCutText(page, what)
      const box = await page.evaluate(() => {
        const r = (s) => document.querySelector(s).getBoundingClientRect().toJSON()
        const all = (s) => [...document.querySelectorAll(s)].map((el) => el.getBoundingClientRect().toJSON())
        return {
          list: r('.calls__list'),
          cards: all('.call'),
          parts: all('.call :is(.call__number, .call__counter, .call__state)'),
          latest: r('[data-test=latest]'),
          recent: r('.recent'),
          waiting: r('[data-test=waiting]'),
          numberPx: parseFloat(getComputedStyle(document.querySelector('.call:not(.call--idle) .call__number')).fontSize),
          h: innerHeight,
          w: innerWidth,
        }
      })
      const info = JSON.stringify(box)
      for (const c of [...box.cards, ...box.parts]) {
        assert.ok(c.bottom <= box.list.bottom + 1 && c.right <= box.w, `${what}: a call runs past its list: ${info}`)
        assert.ok(c.bottom <= box.latest.top + 1, `${what}: a call runs under the sentence: ${info}`)
      }
      assert.ok(box.latest.bottom <= box.recent.top + 1, `${what}: the recent calls are not under the sentence: ${info}`)
      assert.ok(box.waiting.bottom <= box.h, `${what}: the queues run off the bottom: ${info}`)
      assert.ok(box.numberPx >= 60, `${what}: the called numbers are ${box.numberPx} px`)
      assertNoPageErrors(page)
      await page.close()
    }
    for (let n = 1; n <= 6; n++) await finishAt(api, n)
    for (let n = 3; n <= 6; n++) await api.delete(`/api/v1/counters/${n}`)
  })

  for (const [size, viewport] of Object.entries(SIZES)) {
    test(`home, services, priority, ticket, lookup and keypad in Mongolian fit at ${size}`, async () => {
      const page = await openMongolian(server.url, '/', viewport)
      assert.ok(await fontFetched(page), 'the Mongolian font was requested')
      await screenshot(page, `mongolian-home-${size}`)
      await assertFits(page, `home ${size}`)

      await page.click('[data-test=choice-ticket]')
      await page.locator('[data-test=service-B]').waitFor()
      await screenshot(page, `mongolian-services-${size}`)
      await assertFits(page, `services ${size}`)

      await page.click('[data-test=service-B]')
      await page.locator('[data-test=priority-no]').waitFor()
      assert.equal((await style(page, '.screen__title', 'writing-mode'))['writing-mode'], 'vertical-lr')
      await screenshot(page, `mongolian-priority-${size}`)
      await assertFits(page, `priority ${size}`)

      await page.click('[data-test=priority-no]')
      const number = page.locator('[data-test=ticket-number]')
      await number.waitFor()
      // The ticket number reads as printed: horizontal, digits upright, one line.
      assert.match(await number.textContent(), /^B\d{3}$/)
      assert.equal((await style(page, '[data-test=ticket-number]', 'writing-mode'))['writing-mode'], 'horizontal-tb')
      const nb = await number.boundingBox()
      assert.ok(nb.width > nb.height, `ticket number ${nb.width}×${nb.height} is not one horizontal line`)
      assert.equal((await style(page, '[data-test=ahead]', 'writing-mode'))['writing-mode'], 'vertical-lr')
      await screenshot(page, `mongolian-ticket-${size}`)
      await assertFits(page, `ticket ${size}`)

      await page.click('[data-test=home]')
      await page.click('[data-test=choice-lookup]')
      await page.locator('[data-test=lookup-wizard]').waitFor()
      await screenshot(page, `mongolian-lookup-${size}`)
      await assertFits(page, `lookup ${size}`)

      // The wizard's first question, then the personal lookup's ID keypad.
      await page.click('[data-test=lookup-wizard]')
      await page.waitForTimeout(300)
      await screenshot(page, `mongolian-wizard-${size}`)
      await assertFits(page, `wizard ${size}`)
      await page.goBack()
      await page.click('[data-test=lookup-personal]')
      await page.click('[data-test=agree]')
      const keypad = page.locator('.keypad').first()
      await keypad.waitFor()
      assert.equal(await keypad.evaluate((el) => getComputedStyle(el).writingMode), 'horizontal-tb')
      await page.locator('.keypad__key', { hasText: /^1$/ }).first().click()
      await screenshot(page, `mongolian-id-${size}`)
      await assertFits(page, `ID keypad ${size}`)
      assertNoPageErrors(page)
      await page.close()
    })

    test(`the board in Mongolian fits at ${size}`, async () => {
      await api.post('/api/v1/counters/1/call-next').catch(() => {})
      const page = await openMongolian(server.url, '/board', viewport)
      await page.locator('[data-test=board]').waitFor()
      await screenshot(page, `mongolian-board-${size}`)
      assert.equal((await style(page, '.board .heading', 'writing-mode'))['writing-mode'], 'vertical-lr')
      assert.equal((await style(page, '[data-test=call-number]', 'writing-mode'))['writing-mode'], 'horizontal-tb')
      // The board hides what does not fit rather than scroll: each counter's row must
      // be on the screen, its number and name inside it, clear of the sentence below.
      const sentence = await page.locator('[data-test=latest]').boundingBox()
      for (const row of await page.locator('[data-test^=counter-]').all()) {
        const call = await row.boundingBox()
        const parts = await row
          .locator(':is(.call__number, .call__counter)')
          .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON()))
        assert.ok(call.y >= 0 && call.y + call.height <= viewport.height, `a call row is off the screen: ${JSON.stringify(call)}`)
        for (const p of parts) {
          const inside =
            p.left >= call.x - 1 && p.right <= call.x + call.width + 1 && p.top >= call.y - 1 && p.bottom <= call.y + call.height + 1
          assert.ok(inside, `part of a call spills out of its row: ${JSON.stringify(p)} in ${JSON.stringify(call)}`)
          assert.ok(p.bottom <= sentence.y + 1, `a call runs into the sentence below: ${JSON.stringify(p)}`)
        }
      }
      await assertFits(page, `board ${size}`)
      assertNoPageErrors(page)
      await page.close()
    })
  }
})

describe('a station without Mongolian', () => {
  let server

  before(async () => {
    server = await startServer()
  })

  after(async () => {
    await server?.stop()
  })

  test('offers no ᠮᠣᠩᠭᠣᠯ and ignores ?lang=mn-Mong, on the kiosk and the board', async () => {
    const st = await (await fetch(server.url + '/api/v1/station')).json()
    assert.deepEqual(st.languages, ['zh-CN', 'en'])

    const page = await openKiosk(browser.context, server.url, { path: '/?lang=mn-Mong', viewport: VIEWPORTS.fullHD })
    await page.locator('[data-test=lang-en]').waitFor()
    // Give the station's answer time to arrive and be ignored.
    await page.waitForFunction(async () => (await fetch('/api/v1/station')).ok)
    await page.waitForTimeout(300)
    assert.equal(await page.locator('[data-test=lang-mn-Mong]').count(), 0)
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
    assert.equal((await page.locator('.screen__title').textContent()).trim(), '您好，请选择要办理的事项')
    assert.equal(await fontFetched(page), false, 'a Chinese page downloads no Mongolian font')

    await page.goto(server.url + '/board?lang=mn-Mong')
    await page.locator('[data-test=board]').waitFor()
    await page.waitForTimeout(500)
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
    assertNoPageErrors(page)
    await page.close()
  })
})
