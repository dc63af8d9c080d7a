// Set-up for the county sync tests: the real county server (built from
// cmd/bingzhan-county), its enrolment files, free loopback ports and bounded polling.
// Nothing is faked: the station's agent talks HTTP to a real county (startOldCounty
// puts the answers of an older county version in front of it, for upgrade cases).
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer as createHTTPServer } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import assert from 'node:assert/strict'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '..', '..')

/** The demo admin that `bingzhan serve --demo` creates (main_staff.go). */
export const DEMO_ADMIN = { name: '演示', pin: '246810' }

/**
 * buildCounty returns the county binary: $BINGZHAN_COUNTY_BIN if set, else a fresh
 * `go build ./cmd/bingzhan-county` into a temporary folder (removed by cleanup).
 * @returns {Promise<{bin: string, cleanup: () => Promise<void>}>}
 */
export async function buildCounty() {
  if (process.env.BINGZHAN_COUNTY_BIN) return { bin: process.env.BINGZHAN_COUNTY_BIN, cleanup: async () => {} }
  const dir = await mkdtemp(join(tmpdir(), 'bingzhan-county-bin-'))
  const bin = join(dir, 'bingzhan-county')
  await promisify(execFile)('go', ['build', '-o', bin, './cmd/bingzhan-county'], {
    cwd: repoRoot,
    timeout: 300_000,
  })
  return { bin, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** runCounty runs a county command (station add, user add) and resolves with its output. */
export async function runCounty(bin, args) {
  try {
    const { stdout, stderr } = await promisify(execFile)(bin, args, { timeout: 30_000 })
    return stdout + stderr
  } catch (e) {
    throw new Error(`bingzhan-county ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`)
  }
}

/** freePort returns a loopback port that nothing listens on (just now). */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer()
    srv.once('error', rej)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => res(port))
    })
  })
}

/**
 * makeEnrolment has the (stopped) county write an enrolment file for a new station
 * that reaches it at countyURL, and returns the file and its content.
 */
export async function makeEnrolment(bin, countyData, name, countyURL) {
  const out = join(countyData, `enrol-${Date.now()}-${Math.random().toString(36).slice(2)}.json`)
  await runCounty(bin, ['station', 'add', name, '--out', out, '--url', countyURL, '--data', countyData])
  return { file: out, enrolment: JSON.parse(await readFile(out, 'utf8')) }
}

/**
 * startCounty runs `bingzhan-county serve --no-tls` on addr and resolves once it
 * listens.
 * @returns {Promise<{url: string, stop: () => Promise<void>}>}
 */
export async function startCounty(bin, countyData, addr) {
  const child = spawn(bin, ['serve', '--addr', addr, '--no-tls', '--data', countyData], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stderr.on('data', (c) => (output += c))
  const exited = new Promise((res) => child.once('exit', res))
  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`county did not start within 20 s:\n${output}`)), 20_000)
    createInterface({ input: child.stdout }).on('line', (line) => {
      output += line + '\n'
      const m = line.match(/listening on (http:\/\/[\d.]+:\d+)/)
      if (m) {
        clearTimeout(timer)
        res(m[1])
      }
    })
    exited.then((code) => {
      clearTimeout(timer)
      rej(new Error(`county exited with ${code} before listening:\n${output}`))
    })
  })
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}

/** countyApi logs in to the county's JSON API and returns a GET helper with the token. */
export async function countyApi(url, name, pin) {
  const res = await fetch(`${url}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, pin }),
  })
  assert.equal(res.status, 200, `county login ${name}`)
  const { token } = await res.json()
  return {
    async get(path) {
      const r = await fetch(url + path, { headers: { Authorization: `Bearer ${token}` } })
      assert.equal(r.status, 200, `GET ${path}`)
      return r.json()
    },
  }
}

/**
 * pollUntil calls probe every intervalMs until it returns a truthy value, and fails
 * with the last value seen after timeoutMs: sync waits stay bounded.
 */
export async function pollUntil(what, probe, timeoutMs = 30_000, intervalMs = 300) {
  const deadline = Date.now() + timeoutMs
  let last
  for (;;) {
    last = await probe()
    if (last?.ok) return last.value
    if (Date.now() > deadline) {
      assert.fail(`${what}: not within ${timeoutMs / 1000} s; last seen ${JSON.stringify(last?.value ?? last)}`)
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/** loginStaffPage logs in on the staff login form shown at the page's address. */
export async function loginStaffPage(page, who = DEMO_ADMIN) {
  await page.locator('[data-test=login]').waitFor()
  await page.fill('[data-test=login-name]', who.name)
  await page.fill('[data-test=login-pin]', who.pin)
  await page.click('[data-test=login-submit]')
}

/**
 * startOldCounty listens on addr and forwards to the county at target. While `old` is
 * true it answers pushes as a county of sync protocol 1 did (before stations could
 * renumber after a restore): no `highest`, no `renumber`, and an entry held under
 * another sequence is a conflict. Setting `old` to false is the county's upgrade.
 * @returns {Promise<{url: string, old: boolean, stop: () => Promise<void>}>}
 */
export async function startOldCounty(addr, target) {
  const [host, port] = addr.split(':')
  const proxy = { url: `http://${addr}`, old: true }
  const server = createHTTPServer(async (req, res) => {
    const chunks = []
    for await (const c of req) chunks.push(c)
    const headers = { ...req.headers }
    delete headers.host
    delete headers['content-length']
    delete headers['accept-encoding']
    let answer
    try {
      answer = await fetch(target + req.url, {
        method: req.method,
        headers,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      })
    } catch {
      res.writeHead(502).end()
      return
    }
    let body = Buffer.from(await answer.arrayBuffer())
    if (proxy.old && req.url === '/api/v1/sync/push' && answer.status === 200) {
      const pr = JSON.parse(body.toString('utf8'))
      delete pr.highest
      for (const r of pr.results ?? []) {
        if (r.held) Object.assign(r, { status: 'rejected', code: 'conflict', message: 'entry id stored already under another sequence' })
        delete r.renumber
        delete r.held
      }
      body = Buffer.from(JSON.stringify(pr))
    }
    const out = {}
    answer.headers.forEach((v, k) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k)) out[k] = v
    })
    res.writeHead(answer.status, { ...out, 'content-length': body.length }).end(body)
  })
  await new Promise((res, rej) => server.once('error', rej).listen(Number(port), host, res))
  proxy.stop = () => new Promise((res) => server.close(() => res()))
  return proxy
}
