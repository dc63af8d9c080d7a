// The lobby board: calls appear within a second, new calls are spoken from a queue one
// at a time and never overlap, the board keeps up by polling when the event stream is
// unavailable (as inside the Wails window), it reads in English with ?lang=en (the voice
// stays Chinese), it stands upright on a 1080×1920 TV with nothing cut, and the
// sequencing module itself.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import ts from 'typescript'
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

let server
let browser
let api

before(async () => {
  server = await startServer([], { setup: (data) => addStaff(data, ADMIN.name, 'admin', ADMIN.pin) })
  browser = await launchBrowser()
  api = await staffApi(server.url, ADMIN.name, ADMIN.pin)
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

// Every audio play() in the page is recorded and "ends" after a short while, so the
// test hears exactly the sequence the board produces, and sees any overlap.
function instrumentAudio() {
  window.__clips = []
  window.__overlaps = 0
  let playing = false
  HTMLMediaElement.prototype.play = function () {
    if (playing) window.__overlaps++
    playing = true
    window.__clips.push(new URL(this.src).pathname)
    setTimeout(() => {
      playing = false
      this.dispatchEvent(new Event('ended'))
    }, 30)
    return Promise.resolve()
  }
}

/** finishAt clears a counter for the next call (whatever it has). */
async function clearCounter(n) {
  const counters = (await api.get('/api/v1/counters')).body
  const c = counters.find((x) => x.number === n)
  if (!c?.current) return
  const waiting = (await api.get('/api/v1/waiting')).body
  const t = waiting.active.find((x) => x.counter === n)
  const r = await api.post(`/api/v1/tickets/${t.id}/finish`, {})
  assert.equal(r.status, 200)
}

async function callNext(n) {
  const r = await api.post(`/api/v1/counters/${n}/call-next`)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.ok(r.body.call, 'a called ticket carries its call')
  return r.body
}

describe('announcer module', () => {
  let mod
  let dir

  before(async () => {
    const src = await readFile(new URL('../src/board/announcer.ts', import.meta.url), 'utf8')
    const js = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText
    dir = await mkdtemp(join(tmpdir(), 'bingzhan-announcer-'))
    const file = join(dir, 'announcer.mjs')
    await writeFile(file, js)
    mod = await import(pathToFileURL(file).href)
  })

  after(() => rm(dir, { recursive: true, force: true }))

  /** A player whose clips take 1–8 ms, logging each start and end. */
  function fakePlayer(fail = {}) {
    const log = []
    let playing = 0
    let maxPlaying = 0
    return {
      log,
      maxPlaying: () => maxPlaying,
      play(url) {
        playing++
        maxPlaying = Math.max(maxPlaying, playing)
        log.push(`start ${url}`)
        return new Promise((res, rej) =>
          setTimeout(() => {
            playing--
            log.push(`end ${url}`)
            if (fail[url] === 'blocked') rej(new mod.BlockedError())
            else if (fail[url]) rej(new Error('decode error'))
            else res()
          }, 1 + Math.floor(Math.random() * 8)),
        )
      },
    }
  }

  const a = { key: 'B017|2|t1', clips: ['chime', 'qing', 'B', '0', '1', '7', 'hao', 'dao', '2', 'tail'] }
  const b = { key: 'A003|1|t2', clips: ['chime', 'qing', 'A', '0', '0', '3', 'hao', 'dao', '1', 'tail'] }
  const recall = { key: 'B017|2|t3', clips: a.clips }
  const sleep0 = () => Promise.resolve()

  test('announcements play whole, in order, one clip at a time', async () => {
    const p = fakePlayer()
    const an = new mod.Announcer(p, { sleep: sleep0 })
    assert.equal(an.enqueue(a), true)
    // Arriving while the first is spoken: queued behind it, not mixed in.
    await new Promise((r) => setTimeout(r, 5))
    assert.equal(an.enqueue(b), true)
    assert.equal(an.enqueue(a), false, 'the same call heard twice is spoken once')
    assert.equal(an.enqueue(recall), true, 'a recall is a new announcement')
    await an.idle()
    const starts = p.log.filter((l) => l.startsWith('start ')).map((l) => l.slice(6))
    assert.deepEqual(starts, [...a.clips, ...b.clips, ...recall.clips])
    assert.equal(p.maxPlaying(), 1, 'two clips sounded at once')
    // Strictly start, end, start, end…: the next clip starts only after the last ended.
    p.log.forEach((l, i) => assert.ok(l.startsWith(i % 2 === 0 ? 'start' : 'end'), `log[${i}] = ${l}`))
  })

  test('calls on the board at start-up are remembered, not spoken', async () => {
    const p = fakePlayer()
    const an = new mod.Announcer(p, { sleep: sleep0 })
    an.remember(a.key)
    assert.equal(an.enqueue(a), false)
    await an.idle()
    assert.deepEqual(p.log, [])
  })

  test('a clip that fails is skipped; the announcement goes on', async () => {
    const p = fakePlayer({ B: 'error' })
    const an = new mod.Announcer(p, { sleep: sleep0 })
    an.enqueue(a)
    await an.idle()
    assert.equal(p.log.filter((l) => l.startsWith('start')).length, a.clips.length)
  })

  test('blocked sound empties the queue and says so', async () => {
    const p = fakePlayer({ chime: 'blocked' })
    let blocked = 0
    const an = new mod.Announcer(p, { sleep: sleep0, onBlocked: () => blocked++ })
    an.enqueue(a)
    an.enqueue(b)
    await an.idle()
    assert.equal(blocked, 1)
    assert.equal(an.pending, 0)
    assert.deepEqual(p.log, ['start chime', 'end chime'])
  })

  test('a long backlog keeps only the newest calls', async () => {
    const p = fakePlayer()
    const an = new mod.Announcer(p, { sleep: sleep0, maxQueue: 2 })
    for (let i = 0; i < 5; i++) an.enqueue({ key: `k${i}`, clips: [`c${i}`] })
    await an.idle()
    const starts = p.log.filter((l) => l.startsWith('start ')).map((l) => l.slice(6))
    assert.deepEqual(starts, ['c0', 'c3', 'c4'])
  })
})

describe('lobby board', () => {
  test('speaks each call once, in order, never overlapping, and shows it within a second', async () => {
    await issueTickets(server.url, 'B', 4)
    const page = await browser.context.newPage()
    page.pageErrors = []
    page.on('pageerror', (e) => page.pageErrors.push(e.message))
    await page.addInitScript(instrumentAudio)
    await page.setViewportSize(VIEWPORTS.fullHD)
    await page.goto(server.url + '/board')
    await page.locator('[data-test=counter-1]').waitFor()

    // The one-time button that lets the TV speak; a chime confirms it.
    await page.locator('[data-test=voice-prompt]').waitFor()
    await screenshot(page, 'board-voice-prompt')
    await page.click('[data-test=voice-on]')
    await page.locator('[data-test=voice-prompt]').waitFor({ state: 'detached' })
    await page.waitForFunction(() => window.__clips.length === 1)
    // Let the stream open, so the calls below arrive as events.
    await page.waitForFunction(() => window.__clips.length === 1 && document.readyState === 'complete')
    await page.waitForTimeout(300)

    const first = await callNext(1)
    await page.waitForFunction(
      (n) => document.querySelector('[data-test=counter-1] [data-test=call-number]')?.textContent.trim() === n,
      first.number,
      { timeout: 1000 },
    )
    const second = await callNext(2)
    const recalled = await api.post(`/api/v1/tickets/${first.id}/recall`)
    assert.equal(recalled.status, 200)
    await page.waitForFunction(
      (n) => document.querySelector('[data-test=counter-2] [data-test=call-number]')?.textContent.trim() === n,
      second.number,
      { timeout: 1000 },
    )

    const expected = ['/voice/chime.ogg', ...first.call.clips, ...second.call.clips, ...recalled.body.call.clips]
    await page.waitForFunction((n) => window.__clips.length >= n, expected.length, { timeout: 10_000 })
    // Nothing more comes (no call spoken twice by stream and poll).
    await page.waitForTimeout(1500)
    assert.deepEqual(await page.evaluate(() => window.__clips), expected)
    assert.equal(await page.evaluate(() => window.__overlaps), 0)
    assert.match(await page.locator('[data-test=latest]').textContent(), new RegExp(`请 ${first.number} 号到 1 号窗口办理`))
    await screenshot(page, 'board-1080p')
    await assertFits(page, 'board 1920×1080')

    // The choice is remembered: after a reload the board speaks without asking again.
    await page.reload()
    await page.locator('[data-test=counter-1]').waitFor()
    assert.equal(await page.locator('[data-test=voice-prompt]').count(), 0)
    assertNoPageErrors(page)
    await page.close()
    await clearCounter(1)
    await clearCounter(2)
  })

  test('the chime really plays to its end in the browser', async () => {
    const page = await openKiosk(browser.context, server.url, { path: '/board', viewport: VIEWPORTS.fullHD })
    await page.locator('[data-test=counter-1]').waitFor()
    await page.evaluate(() => {
      window.__ended = []
      const el = document.querySelector('[data-test=voice-audio]')
      el.addEventListener('ended', () => window.__ended.push(new URL(el.src).pathname))
    })
    // Turn it off and on: the click is the gesture that allows sound.
    if (await page.locator('[data-test=voice-off]').count()) await page.click('[data-test=voice-off]')
    await page.click('[data-test=voice-on]')
    await page.waitForFunction(() => window.__ended.length === 1, null, { timeout: 10_000 })
    assert.deepEqual(await page.evaluate(() => window.__ended), ['/voice/chime.ogg'])
    assertNoPageErrors(page)
    await page.close()
  })

  test('without an event stream the board polls and still shows calls and speaks them', async () => {
    const page = await browser.context.newPage()
    page.pageErrors = []
    page.on('pageerror', (e) => page.pageErrors.push(e.message))
    await page.addInitScript(instrumentAudio)
    // As in a web view whose stream never opens.
    await page.addInitScript(() => {
      delete window.EventSource
    })
    await page.setViewportSize(VIEWPORTS.fullHD)
    await page.goto(server.url + '/board')
    await page.locator('[data-test=counter-1]').waitFor()
    // Voice is remembered from the test above.
    assert.equal(await page.locator('[data-test=voice-prompt]').count(), 0)

    const called = await callNext(1)
    await page.waitForFunction(
      (n) => document.querySelector('[data-test=counter-1] [data-test=call-number]')?.textContent.trim() === n,
      called.number,
      { timeout: 4000 },
    )
    await page.waitForFunction((n) => window.__clips.length >= n, called.call.clips.length, { timeout: 10_000 })
    await page.waitForTimeout(3500) // one more poll: nothing is spoken again
    assert.deepEqual(await page.evaluate(() => window.__clips), called.call.clips)

    // Waiting counts follow too.
    const before = Number(await page.locator('[data-test=waiting-D] .waiting__count').textContent())
    await issueTickets(server.url, 'D', 1)
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-test=waiting-D] .waiting__count')?.textContent) === n,
      before + 1,
      { timeout: 4000 },
    )
    assertNoPageErrors(page)
    await page.close()
    await clearCounter(1)
  })

  test('in English with ?lang=en, kept across reloads; the voice stays Chinese', async () => {
    const page = await browser.context.newPage()
    page.pageErrors = []
    page.on('pageerror', (e) => page.pageErrors.push(e.message))
    await page.addInitScript(instrumentAudio)
    await page.setViewportSize(VIEWPORTS.fullHD)
    await page.goto(server.url + '/board?lang=en')
    await page.locator('[data-test=counter-1]').waitFor()
    await page.getByRole('heading', { name: 'Now calling' }).waitFor()
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
    await page.waitForTimeout(300) // let the stream open

    const called = await callNext(1)
    await page.waitForFunction(
      (n) => document.querySelector('[data-test=counter-1] [data-test=call-number]')?.textContent.trim() === n,
      called.number,
      { timeout: 1000 },
    )
    assert.equal(await page.locator('[data-test=latest]').textContent(), `Number ${called.number}, please go to counter 1`)
    assert.equal((await page.locator('[data-test=counter-1] .call__counter').textContent()).trim(), 'Counter 1')
    assert.match(await page.locator('[data-test=recent]').textContent(), new RegExp(`${called.number}\\s*Counter 1`))
    // Service names in English too: no Chinese left on the waiting line.
    assert.doesNotMatch(await page.locator('[data-test=waiting]').textContent(), /[\u4e00-\u9fff]/)
    // Spoken in Chinese all the same: the call's own clips (请 … 号到 1 号窗口办理).
    await page.waitForFunction((n) => window.__clips.length >= n, called.call.clips.length, { timeout: 10_000 })
    assert.deepEqual(await page.evaluate(() => window.__clips), called.call.clips)
    assert.ok(called.call.clips.includes('/voice/hao-chuangkou-banli.ogg'))
    await screenshot(page, 'board-1080p-en')
    await assertFits(page, 'English board 1920×1080')
    // The board hides what overflows, so check what a person would miss: a counter name
    // cut short, a call card running under the recent list, the waiting counts below the edge.
    const box = await page.evaluate(() => {
      const r = (s) => document.querySelector(s).getBoundingClientRect()
      const name = document.querySelector('[data-test=counter-1] .call__counter')
      return {
        nameCut: name.scrollWidth > name.clientWidth,
        cardRight: r('[data-test=counter-1]').right,
        recentLeft: r('.recent').left,
        waitingBottom: r('[data-test=waiting]').bottom,
        textBottom: r('[data-test=latest]').bottom,
        mainBottom: r('.main').bottom,
        h: innerHeight,
      }
    })
    assert.equal(box.nameCut, false, 'the counter name is cut off')
    assert.ok(box.cardRight < box.recentLeft, `the call card runs under the recent calls: ${JSON.stringify(box)}`)
    assert.ok(box.waitingBottom <= box.h && box.textBottom <= box.mainBottom, `cut at the bottom: ${JSON.stringify(box)}`)

    // The TV keeps English when it reloads, even from an address without the query.
    await page.reload()
    await page.getByRole('heading', { name: 'Now calling' }).waitFor()
    await page.goto(server.url + '/board')
    await page.getByRole('heading', { name: 'Now calling' }).waitFor()
    // ?lang=zh sets it back to Chinese, the default.
    await page.goto(server.url + '/board?lang=zh')
    await page.getByRole('heading', { name: '正在叫号' }).waitFor()
    await page.goto(server.url + '/board')
    await page.getByRole('heading', { name: '正在叫号' }).waitFor()
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
    assertNoPageErrors(page)
    await page.close()
    await clearCounter(1)
  })

  test('a counter added by an admin appears on the open board; four counters still fit', async () => {
    const page = await openKiosk(browser.context, server.url, { path: '/board', viewport: VIEWPORTS.fullHD })
    await page.locator('[data-test=counter-2]').waitFor()
    for (const n of [3, 4]) {
      const r = await api.put(`/api/v1/counters/${n}`, { name: '', services: ['A', 'B', 'C'] })
      assert.equal(r.status, 200, JSON.stringify(r.body))
    }
    await page.locator('[data-test=counter-4]').waitFor({ timeout: 4000 })
    await callNext(3)
    await page.waitForFunction(
      () => /^[A-J]\d{3}$/.test(document.querySelector('[data-test=counter-3] [data-test=call-number]')?.textContent.trim()),
      null,
      { timeout: 1000 },
    )
    await screenshot(page, 'board-1080p-4-counters')
    await assertFits(page, 'board with four counters')
    assertNoPageErrors(page)
    await page.close()
    for (const n of [3, 4]) {
      await clearCounter(n)
      // Back to two counters, the size the next test asks about.
      const r = await api.delete(`/api/v1/counters/${n}`)
      assert.ok(r.status === 200 || r.status === 204, JSON.stringify(r.body))
    }
  })

  test('while it asks for the voice, the banner leaves the calls and the caption room', async () => {
    await issueTickets(server.url, 'A', 2)
    await callNext(1)
    await callNext(2)
    for (const [size, viewport] of [
      ['1080p', VIEWPORTS.fullHD],
      ['portrait', VIEWPORTS.portrait],
    ]) {
      const page = await browser.context.newPage()
      page.pageErrors = []
      page.on('pageerror', (e) => page.pageErrors.push(e.message))
      // A TV on which nobody has turned the voice on yet (the tests above did).
      await page.addInitScript(() => localStorage.removeItem('bingzhan.board.voice'))
      await page.setViewportSize(viewport)
      await page.goto(server.url + '/board')
      await page.locator('[data-test=voice-prompt]').waitFor()
      await page.waitForFunction(() => document.querySelectorAll('.call:not(.call--idle)').length === 2)
      await screenshot(page, `board-voice-prompt-calls-${size}`)
      await assertFits(page, `board with the voice banner, ${size}`)
      const box = await page.evaluate(() => {
        const r = (s) => document.querySelector(s).getBoundingClientRect()
        return {
          lastCardBottom: r('[data-test=counter-2]').bottom,
          captionTop: r('[data-test=latest]').top,
          captionBottom: r('[data-test=latest]').bottom,
          mainBottom: r('.main').bottom,
        }
      })
      assert.ok(box.captionTop >= box.lastCardBottom, `${size}: the caption overlaps the call cards: ${JSON.stringify(box)}`)
      assert.ok(box.captionBottom <= box.mainBottom, `${size}: the caption is cut at the bottom: ${JSON.stringify(box)}`)
      assertNoPageErrors(page)
      await page.close()
    }
    await clearCounter(1)
    await clearCounter(2)
  })

  test('upright, 1080×1920, in Chinese and English: one column, busy, nothing cut', async () => {
    // A busy morning: a queue at most services (one empty), a no-show among the recent
    // calls, and a counter with a name of its own.
    const letters = (await (await fetch(server.url + '/api/v1/board')).json()).waiting.map((w) => w.letter)
    for (const [i, l] of letters.entries()) await issueTickets(server.url, l, l === 'E' ? 0 : ['A', 'B', 'C'].includes(l) ? 8 : 1 + (i % 4))
    const names = { 3: '优待证办理窗口', 5: '', 6: '' }
    for (let i = 0; i < 6; i++) {
      await callNext(2)
      await clearCounter(2)
    }
    const gone = await callNext(1)
    const r = await api.post(`/api/v1/tickets/${gone.id}/no-show`, {})
    assert.equal(r.status, 200, JSON.stringify(r.body))

    for (const count of [2, 4, 6]) {
      for (let n = 3; n <= count; n++) {
        const put = await api.put(`/api/v1/counters/${n}`, { name: names[n] ?? '', services: ['A', 'B', 'C'] })
        assert.equal(put.status, 200, JSON.stringify(put.body))
      }
      // Every counter has someone at it; the board's recent list fills up behind them.
      // Counters 2 and 3 have started serving: their cards say so.
      for (let n = 1; n <= count; n++) {
        await clearCounter(n)
        const t = await callNext(n)
        if (n === 2 || n === 3) assert.equal((await api.post(`/api/v1/tickets/${t.id}/start`, {})).status, 200)
      }
      for (const lang of ['zh', 'en']) {
        const what = `upright board, ${count} counters, ${lang}`
        const page = await browser.context.newPage()
        page.pageErrors = []
        page.on('pageerror', (e) => page.pageErrors.push(e.message))
        await page.addInitScript(instrumentAudio)
        await page.addInitScript(() => localStorage.setItem('bingzhan.board.voice', 'on'))
        await page.setViewportSize(VIEWPORTS.portrait)
        await page.goto(`${server.url}/board?lang=${lang}`)
        await page.waitForFunction((n) => document.querySelectorAll('.call:not(.call--idle)').length === n, count)
        await page.locator('[data-test=recent] li').nth(7).waitFor()
        await screenshot(page, `board-portrait-${count}-${lang}`)
        await assertFits(page, what)
        await assertNoCutText(page, what)

        // One column, top to bottom: the calls, the sentence, the recent calls, the
        // queues; each full width, each on the screen.
        const box = await page.evaluate(() => {
          const r = (s) => document.querySelector(s).getBoundingClientRect().toJSON()
          const all = (s) => [...document.querySelectorAll(s)].map((el) => el.getBoundingClientRect().toJSON())
          const size = (s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)
          return {
            calls: r('.calls__list'),
            cards: all('.call'),
            latest: r('[data-test=latest]'),
            recent: r('[data-test=recent]'),
            waiting: r('[data-test=waiting]'),
            numberPx: size('.call:not(.call--idle) .call__number'),
            recentPx: size('.recent__number'),
            waitingPx: size('.waiting__name'),
            w: innerWidth,
            h: innerHeight,
          }
        })
        const info = JSON.stringify(box)
        assert.ok(box.calls.bottom <= box.latest.top + 1, `${what}: the sentence is not under the calls: ${info}`)
        assert.ok(box.latest.bottom <= box.recent.top + 1, `${what}: the recent calls are not under the sentence: ${info}`)
        assert.ok(box.recent.bottom <= box.waiting.top + 1, `${what}: the queues are not under the recent calls: ${info}`)
        assert.ok(box.waiting.bottom <= box.h, `${what}: the queues run off the bottom: ${info}`)
        for (const c of box.cards) assert.ok(c.bottom <= box.calls.bottom + 1 && c.right <= box.w, `${what}: a call card spills out: ${info}`)
        assert.ok(box.recent.width > box.w * 0.8, `${what}: the recent calls do not have the width: ${info}`)
        // Read from across the lobby: the numbers largest, nothing below 24 px.
        assert.ok(box.numberPx >= 60, `${what}: the called numbers are ${box.numberPx} px`)
        assert.ok(box.recentPx >= 28 && box.waitingPx >= 24, `${what}: the lists are too small: ${info}`)
        assertNoPageErrors(page)
        await page.close()
      }
    }
    for (let n = 1; n <= 6; n++) await clearCounter(n)
    for (let n = 3; n <= 6; n++) await api.delete(`/api/v1/counters/${n}`)
  })
})
