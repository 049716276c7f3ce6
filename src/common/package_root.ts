import fs from 'node:fs';
import path from 'node:path';

/**
 * The directory of pivs's package.json, found from this file upwards, so that it works from src/
 * (ts-node), from dist/src/ and from the image's /usr/lib/pivs.
 */
export function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return path.join(__dirname, '..', '..', '..');
}
