// Measures the weapp build (build/weapp): the main package and each subpackage, against WeChat's limits
// (main ≤ 2 MB, each subpackage ≤ 2 MB, all ≤ 20 MB). Exit 1 if over; usage: npm run build:weapp && npm run size:weapp
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'build', 'weapp')
if (!fs.existsSync(path.join(root, 'app.json'))) {
  console.error('build/weapp/app.json not found: npm run build:weapp first')
  process.exit(1)
}
const app = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8'))
const subRoots = (app.subPackages || app.subpackages || []).map((s) => s.root.replace(/\/$/, ''))
const sizes = { main: 0 }
for (const r of subRoots) sizes[r] = 0
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) walk(p)
    else if (!/\.LICENSE\.txt$/.test(e.name)) {
      const rel = path.relative(root, p).split(path.sep).join('/')
      const sub = subRoots.find((r) => rel.startsWith(r + '/'))
      sizes[sub || 'main'] += fs.statSync(p).size
    }
  }
}
walk(root)
const LIMIT = 2 * 1024 * 1024
let total = 0
let over = false
for (const [k, v] of Object.entries(sizes)) {
  total += v
  if (v > LIMIT) over = true
  console.log(`${k.padEnd(16)} ${(v / 1024).toFixed(1).padStart(8)} KB${v > LIMIT ? '  OVER 2 MB' : ''}`)
}
console.log(`${'total'.padEnd(16)} ${(total / 1024).toFixed(1).padStart(8)} KB`)
process.exit(over || total > 20 * LIMIT ? 1 : 0)
