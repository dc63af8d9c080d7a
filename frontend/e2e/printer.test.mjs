// Printing at the kiosk: the station drives a network thermal printer (ESC/POS on TCP
// port 9100). No printer is attached here, so a TCP listener on loopback stands in for
// one and keeps the bytes it receives; everything else is the real station and browser.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { assertNoPageErrors, launchBrowser, openKiosk, startServer, takeTicket } from './helpers.mjs'
import { kioskShot } from './plainwords.mjs'

/** startPrinter accepts connections and records each job's bytes; it never answers
 * status queries, as many cheap printers don't. */
async function startPrinter() {
  const jobs = []
  const srv = createServer((sock) => {
    const chunks = []
    sock.on('data', (c) => chunks.push(c))
    sock.on('close', () => jobs.push(Buffer.concat(chunks)))
    sock.on('error', () => {})
  })
  await new Promise((res) => srv.listen(0, '127.0.0.1', res))
  return { jobs, port: srv.address().port, close: () => new Promise((res) => srv.close(res)) }
}

/** waitFor polls until fn returns true or 10 s pass. */
async function waitFor(fn, what) {
  const end = Date.now() + 10_000
  while (Date.now() < end) {
    if (fn()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  assert.fail(`timed out waiting for ${what}`)
}

let printer
let server
let browser

before(async () => {
  printer = await startPrinter()
  server = await startServer(['--printer', `tcp://127.0.0.1:${printer.port}`])
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
  await printer?.close()
})

describe('kiosk with a ticket printer', () => {
  test('prints the ticket, says so, and reprints on request', async () => {
    const page = await openKiosk(browser.context, server.url)
    await takeTicket(page, 'B', false)
    const number = (await page.locator('[data-test=ticket-number]').textContent()).trim()
    assert.match(await page.locator('[data-test=print-notice]').textContent(), /已打印/)
    await waitFor(() => printer.jobs.length === 1, 'the first slip')
    const slip = printer.jobs[0]
    // The station first asks the printer's status (DLE EOT), then sends the ticket,
    // which starts by initialising the printer (ESC @).
    const init = slip.indexOf(Buffer.from([0x1b, 0x40]))
    assert.ok(init >= 0, 'the slip initialises the printer (ESC @)')
    assert.ok(slip.subarray(0, init).every((b, i) => (i % 3 === 0 ? b === 0x10 : true)), 'only status queries come before it')
    assert.ok(slip.includes(Buffer.from(number, 'ascii')), `the slip carries the number ${number}`)
    assert.ok(slip.includes(Buffer.from([0x1d, 0x76, 0x30])), 'the slip carries the QR as a raster image (GS v 0)')
    await kioskShot(page, 'kiosk-ticket-printed')

    await page.click('[data-test=reprint]')
    await waitFor(() => printer.jobs.length === 2, 'the reprint')
    assert.ok(printer.jobs[1].includes(Buffer.from(number, 'ascii')), 'the reprint is the same ticket')
    assert.match(await page.locator('[data-test=print-notice]').textContent(), /已打印/)
    assertNoPageErrors(page)
    await page.close()
  })

  test('a printer that cannot be reached still gives the ticket on screen', async () => {
    await printer.close()
    const page = await openKiosk(browser.context, server.url)
    await takeTicket(page, 'A', false)
    assert.match(await page.locator('[data-test=ticket-number]').textContent(), /^\s*A\d{3}\s*$/)
    assert.match(await page.locator('[data-test=print-notice]').textContent(), /打印机无法连接/)
    await kioskShot(page, 'kiosk-ticket-printer-offline')
    assertNoPageErrors(page)
    await page.close()
  })
})
