import * as fs from 'fs';
import * as path from 'path';

/** The repository root (the folder with package.json and localcloud/). */
export function repoRoot(): string {
  let d = process.cwd();
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'localcloud'))) return d;
    d = path.dirname(d);
  }
  throw new Error('run this from inside the repository');
}
