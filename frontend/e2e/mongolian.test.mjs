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
  tapKeys,
} from './helpers.mjs'
import { assertNoCutText, lyingMongolian } from './overflow.mjs'

const ADMIN = { name: '测试', pin: '246810' }
const FONT = '/fonts/NotoSansMongolian-Regular.woff2'
const SIZES = { '1080p': VIEWPORTS.fullHD, portrait: VIEWPORTS.portrait }
// The four screens a station has, as the layout tour (kiosk-layout.test.mjs) has them.
const ALL_SIZES = {
  portrait: { width: 1080, height: 1920 },
  landscape: { width: 1920, height: 1080 },
  sxga: { width: 1280, height: 1024 },
  wxga: { width: 1366, height: 768 },
}

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

/** assertStanding fails when any Mongolian text on the page lies on its side. */
async function assertStanding(page, what) {
  const lying = await lyingMongolian(page)
  assert.deepEqual(lying, [], `${what}: Mongolian text lies on its side:\n  ${lying.join('\n  ')}`)
}

/** assertWhole checks a Mongolian screen: nothing cut or off the screen, nothing lying. */
async function assertWhole(page, what) {
  await assertNoCutText(page, what)
  await assertStanding(page, what)
}

/** setLarge turns 大字 on or off with the switch on the screen. */
async function setLarge(page, on) {
  const now = (await page.locator('[data-test=elderly-toggle]').getAttribute('aria-checked')) === 'true'
  if (now !== on) await page.click('[data-test=elderly-toggle]')
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
    // On the Chinese page too the switch's ᠮᠣᠩᠭᠣᠯ stands, not lies.
    await assertStanding(page, 'the Chinese home')
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
      await assertStanding(page, what)
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
      await assertStanding(page, `home ${size}`)

      await page.click('[data-test=choice-ticket]')
      await page.locator('[data-test=service-B]').waitFor()
      await screenshot(page, `mongolian-services-${size}`)
      await assertFits(page, `services ${size}`)
      await assertStanding(page, `services ${size}`)

      await page.click('[data-test=service-B]')
      await page.locator('[data-test=priority-no]').waitFor()
      assert.equal((await style(page, '.screen__title', 'writing-mode'))['writing-mode'], 'vertical-lr')
      await screenshot(page, `mongolian-priority-${size}`)
      await assertFits(page, `priority ${size}`)
      await assertStanding(page, `priority ${size}`)

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
      await assertStanding(page, `ticket ${size}`)

      await page.click('[data-test=home]')
      await page.click('[data-test=choice-lookup]')
      await page.locator('[data-test=lookup-wizard]').waitFor()
      await screenshot(page, `mongolian-lookup-${size}`)
      await assertFits(page, `lookup ${size}`)
      await assertStanding(page, `lookup ${size}`)

      // The wizard's first question, then the personal lookup's ID keypad.
      await page.click('[data-test=lookup-wizard]')
      await page.waitForTimeout(300)
      await screenshot(page, `mongolian-wizard-${size}`)
      await assertFits(page, `wizard ${size}`)
      await assertStanding(page, `wizard ${size}`)
      await page.goBack()
      await page.click('[data-test=lookup-personal]')
      await page.click('[data-test=agree]')
      const keypad = page.locator('.keypad').first()
      await keypad.waitFor()
      assert.equal(await keypad.evaluate((el) => getComputedStyle(el).writingMode), 'horizontal-tb')
      await page.locator('.keypad__key', { hasText: /^1$/ }).first().click()
      await screenshot(page, `mongolian-id-${size}`)
      await assertFits(page, `ID keypad ${size}`)
      await assertStanding(page, `ID keypad ${size}`)
      assertNoPageErrors(page)
      await page.close()
    })

    test(`the board in Mongolian fits at ${size}, nothing cut, nothing lying`, async () => {
      // Recent calls enough to fill the strip: at 1920×1080 the second was cut at its edge.
      await issueTickets(server.url, 'A', 6)
      for (let i = 0; i < 3; i++) {
        for (const n of [1, 2]) {
          await finishAt(api, n)
          await api.post(`/api/v1/counters/${n}/call-next`).catch(() => {})
        }
      }
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
      assert.ok((await page.locator('.recent__item').count()) >= 3, 'the recent list has calls to show')
      await assertWhole(page, `board ${size}`)
      assertNoPageErrors(page)
      await page.close()
    })
  }

  // 我有预约 and 评价服务 on the home screen: four cards and the rating link, each card's
  // words inside its border, none over another, nothing cut or lying, at every size. In
  // 大字 the first card's title ran off the left edge, and at 1280 and 1366 wide 我有预约's
  // hint spilled over its card, which cutText alone does not see.
  for (const [size, viewport] of Object.entries(ALL_SIZES)) {
    for (const large of [false, true]) {
      test(`home with 我有预约 and 评价服务 in Mongolian fits at ${size}${large ? ', 大字' : ''}`, async () => {
        const what = `home ${size}${large ? ' 大字' : ''}`
        const page = await openMongolian(server.url, '/', viewport)
        await setLarge(page, large)
        await page.locator('[data-test=choice-appointment]').waitFor()
        await page.locator('[data-test=choice-rate]').waitFor()
        await screenshot(page, `mongolian-home4-${size}${large ? '-large' : ''}`)
        await assertWhole(page, what)
        const faults = await page.evaluate(() => {
          const out = []
          const boxes = [...document.querySelectorAll('.choice, .rate-link')]
          const r = (el) => el.getBoundingClientRect()
          for (const [i, a] of boxes.entries()) {
            for (const b of boxes.slice(i + 1)) {
              const p = r(a)
              const q = r(b)
              if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1) {
                out.push(`${a.dataset.test} and ${b.dataset.test} overlap`)
              }
            }
            for (const k of a.children) {
              const p = r(k)
              const q = r(a)
              if (p.left < q.left - 1 || p.right > q.right + 1 || p.top < q.top - 1 || p.bottom > q.bottom + 1) {
                out.push(`${a.dataset.test}: ${k.className} spills out of its card`)
              }
            }
          }
          return out
        })
        assert.deepEqual(faults, [], `${what}:\n  ${faults.join('\n  ')}`)
        assertNoPageErrors(page)
        await page.close()
      })
    }
  }

  // The ID steps of 我有预约 and the visit: the hint under the keypad's digits lay on its
  // side; it stands, as every Mongolian text does, and the screen fits.
  for (const [size, viewport] of Object.entries(SIZES)) {
    for (const large of [false, true]) {
      test(`the ID steps of 我有预约 and the visit stand in Mongolian at ${size}${large ? ', 大字' : ''}`, async () => {
        const tag = `${size}${large ? '-large' : ''}`
        const page = await openMongolian(server.url, '/', viewport)
        await setLarge(page, large)
        await page.click('[data-test=choice-appointment]')
        await page.locator('[data-test=appointment-id]').waitFor()
        await tapKeys(page, server.people.ready.id)
        await page.locator('[data-test=id-ok]').waitFor()
        assert.equal((await style(page, '[data-test=appointment-id] .vs-hint', 'writing-mode'))['writing-mode'], 'vertical-lr')
        await screenshot(page, `mongolian-appointment-id-${tag}`)
        await assertWhole(page, `appointment ID ${tag}`)
        await assertFits(page, `appointment ID ${tag}`)

        await page.click('[data-test=home]')
        await page.click('[data-test=choice-visit]')
        await page.click('[data-test=agree]')
        await page.locator('[data-test=visit-id]').waitFor()
        await tapKeys(page, server.people.issued.id.slice(0, 10))
        assert.equal((await style(page, '[data-test=visit-id] .vs-hint', 'writing-mode'))['writing-mode'], 'vertical-lr')
        await screenshot(page, `mongolian-visit-id-${tag}`)
        await assertStanding(page, `visit ID ${tag}`)
        if (!(large && size === 'portrait')) await assertWhole(page, `visit ID ${tag}`)
        assertNoPageErrors(page)
        await page.close()
      })
    }
  }

  /** skipPending records counter n's tickets still waiting for their rating as skipped. */
  async function skipPending(n) {
    for (let i = 0; i < 50; i++) {
      const { ticket } = await (await fetch(`${server.url}/api/v1/counters/${n}/rating`)).json()
      if (!ticket) return
      const r = await fetch(`${server.url}/api/v1/tickets/${ticket.ticket_id}/rating/skip`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ via: 'counter' }),
      })
      assert.ok(r.ok, `skip ${ticket.number}: ${r.status}`)
    }
    assert.fail(`counter ${n} still asks for ratings`)
  }

  /** serveOne has counter n call, serve and finish the next ticket (issued for it). */
  async function serveOne(n) {
    await issueTickets(server.url, 'B', 1)
    // What the counter had is finished and not asked about: the screen asks about one.
    await finishAt(api, n)
    await skipPending(n)
    const called = await api.post(`/api/v1/counters/${n}/call-next`)
    assert.equal(called.status, 200, JSON.stringify(called.body))
    assert.equal((await api.post(`/api/v1/tickets/${called.body.id}/start`, {})).status, 200)
    assert.equal((await api.post(`/api/v1/tickets/${called.body.id}/finish`, {})).status, 200)
    return called.body
  }

  // The station's own words reach a Mongolian screen in Mongolian, standing: the
  // wizard's questions and answers, the registration's notice, relations and matters,
  // a record's dates, a typing slip's message. Only names the station and the county
  // give (services, categories, the catalog) stay Chinese.
  test('the station\'s own words come in Mongolian: questions, answers, notice, choices, dates, errors', async () => {
    const page = await openMongolian(server.url, '/', VIEWPORTS.fullHD)
    const mongolianOnly = async (selector, what) => {
      const texts = await page.locator(selector).allInnerTexts()
      assert.ok(texts.length > 0, `${what}: nothing shown`)
      for (const t of texts) assert.match(t, /^[^\u4e00-\u9fff]*[\u1820-\u18af][^\u4e00-\u9fff]*$/, `${what}: ${t}`)
    }
    await page.click('[data-test=choice-lookup]')
    await page.click('[data-test=lookup-wizard]')
    await page.click('[data-test=group-veteran]')
    await page.click('[data-test=cat-DISABLED_VET]')
    await page.click('[data-test=next]')
    await page.locator('[data-test=question-disability_grade]').waitFor()
    await mongolianOnly('[data-test=question-text]', 'the grade question')
    await mongolianOnly('.lk-option', 'the grades')
    await assertStanding(page, 'the grades')
    await page.click('[data-test=home]')

    // A record's history, its dates in Mongolian words.
    await page.click('[data-test=choice-lookup]')
    await page.click('[data-test=lookup-personal]')
    await page.click('[data-test=agree]')
    await tapKeys(page, server.people.ready.id)
    await page.click('[data-test=next]')
    await tapKeys(page, server.people.ready.last4)
    await page.click('[data-test=submit]')
    await page.click('[data-test=tab-history]')
    await mongolianOnly('.timeline__date', 'the history\'s dates')
    await page.click('[data-test=home]')

    // The registration: its notice, a mistyped ID number, relations and matters.
    await page.click('[data-test=choice-visit]')
    await page.locator('[data-test=visit-notice]').waitFor()
    await mongolianOnly('[data-test=visit-notice] :is(.screen__title, .vs-points__item)', 'the notice')
    await page.click('[data-test=agree]')
    const id = server.people.issued.id
    await tapKeys(page, id.slice(0, 17) + (id.at(-1) === '0' ? '1' : '0'))
    await page.locator('[data-test=id-error]').waitFor()
    await mongolianOnly('[data-test=id-error]', 'a wrong last digit')
    await page.click('[data-test=keypad] [data-key=back]')
    await tapKeys(page, id.at(-1))
    await page.locator('[data-test=id-ok]').waitFor()
    await page.click('[data-test=next]')
    await mongolianOnly('[data-test=visit-relation] .lk-option', 'the relations')
    await page.click('[data-test=relation-child]')
    await tapKeys(page, '13800138000')
    await page.click('[data-test=next]')
    await page.click('[data-test=service-B]')
    await mongolianOnly('[data-test=visit-matter] .lk-option', 'the matters')
    await assertStanding(page, 'the matters')
    assertNoPageErrors(page)
    await page.close()
  })

  test('the counter\'s /rate screen offers ᠮᠣᠩᠭᠣᠯ, and its screens stand and fit', async () => {
    // Chinese at first, as the station's default; the switch offers the station's
    // languages, Mongolian among them.
    // The board's tests above finished tickets at counter 1: the last is still asked
    // for, as if its person had walked away; skipped, the screen waits.
    await skipPending(1)
    const page = await openKiosk(browser.context, server.url, { path: '/rate?counter=1', viewport: VIEWPORTS.portrait })
    await page.locator('[data-test=rate-waiting]').waitFor()
    const mn = page.locator('[data-test=lang-mn-Mong]')
    assert.equal((await mn.textContent()).trim(), 'ᠮᠣᠩᠭᠣᠯ')
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
    await mn.click()
    await page.waitForFunction(() => document.documentElement.lang === 'mn-Mong')
    await page.evaluate(() => document.fonts.ready)
    for (const [shape, viewport] of [['portrait', VIEWPORTS.portrait], ['landscape', VIEWPORTS.fullHD]]) {
      await page.setViewportSize(viewport)
      for (const large of [false, true]) {
        const tag = `${shape}${large ? '-large' : ''}`
        await setLarge(page, large)
        await page.locator('[data-test=rate-waiting]').waitFor()
        await screenshot(page, `mongolian-rate-waiting-${tag}`)
        await assertWhole(page, `/rate waiting ${tag}`)
        await serveOne(1)
        await page.locator('[data-test=rate-levels]').waitFor()
        await setLarge(page, large)
        await screenshot(page, `mongolian-rate-levels-${tag}`)
        await assertWhole(page, `/rate levels ${tag}`)
        await page.click('[data-test=level-2]')
        await page.locator('[data-test=rate-reasons]').waitFor()
        await screenshot(page, `mongolian-rate-reasons-${tag}`)
        await assertWhole(page, `/rate reasons ${tag}`)
        await page.click('[data-test=rate-back]')
        await page.click('[data-test=level-4]')
        await page.locator('[data-test=rate-thanks]').waitFor()
        await screenshot(page, `mongolian-rate-thanks-${tag}`)
        await assertWhole(page, `/rate thanks ${tag}`)
        // 好的 (or six seconds): back to waiting, in Chinese again for the next person,
        // as 大字 goes off.
        await page.locator('[data-test=rate-ok]').click({ timeout: 2000 }).catch(() => {})
        await page.locator('[data-test=rate-waiting]').waitFor()
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
        await mn.click()
        await page.waitForFunction(() => document.documentElement.lang === 'mn-Mong')
      }
    }
    assertNoPageErrors(page)
    await page.close()

    // A counter screen set up with ?lang=mn-Mong rests in Mongolian.
    const kept = await openMongolian(server.url, '/rate?counter=1', VIEWPORTS.fullHD)
    await kept.locator('[data-test=rate-waiting]').waitFor()
    await serveOne(1)
    await kept.locator('[data-test=rate-levels]').waitFor()
    await kept.click('[data-test=lang-zh-CN]')
    await kept.click('[data-test=level-5]')
    await kept.locator('[data-test=rate-ok]').click({ timeout: 2000 }).catch(() => {})
    await kept.locator('[data-test=rate-waiting]').waitFor()
    assert.equal(await kept.evaluate(() => document.documentElement.lang), 'mn-Mong')
    assertNoPageErrors(kept)
    await kept.close()
  })

  test('评价服务 at the kiosk stands and fits in Mongolian', async () => {
    for (const [shape, viewport] of [['portrait', VIEWPORTS.portrait], ['landscape', VIEWPORTS.fullHD]]) {
      for (const large of [false, true]) {
        const tag = `${shape}${large ? '-large' : ''}`
        const page = await openMongolian(server.url, '/', viewport)
        await setLarge(page, large)
        await page.click('[data-test=choice-rate]')
        await page.locator('[data-test=rate-find]').waitFor()
        const tk = await serveOne(2)
        await page.click(`[data-test=letter-${tk.number[0]}]`)
        for (const d of tk.number.slice(1)) await page.click(`[data-test=keypad] [data-key="${d}"]`)
        await screenshot(page, `mongolian-kiosk-rate-find-${tag}`)
        await assertWhole(page, `评价服务 number ${tag}`)
        await page.click('[data-test=rate-next]')
        await page.locator('[data-test=rate-levels]').waitFor()
        await screenshot(page, `mongolian-kiosk-rate-levels-${tag}`)
        await assertWhole(page, `评价服务 levels ${tag}`)
        await page.click('[data-test=level-1]')
        await page.locator('[data-test=rate-reasons]').waitFor()
        await screenshot(page, `mongolian-kiosk-rate-reasons-${tag}`)
        await assertWhole(page, `评价服务 reasons ${tag}`)
        await page.click('[data-test=rate-back]')
        await page.click('[data-test=level-5]')
        await page.locator('[data-test=rate-thanks]').waitFor()
        await screenshot(page, `mongolian-kiosk-rate-thanks-${tag}`)
        await assertWhole(page, `评价服务 thanks ${tag}`)
        assertNoPageErrors(page)
        await page.close()
      }
    }
  })
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
