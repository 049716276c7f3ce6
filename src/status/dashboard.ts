// GET /: the live dashboard. One self-contained page (inline CSS and JS, no outside network) that
// polls /status every second, keeps the last minutes of rates in memory and draws them as SVG. Its
// files are in src/status/dashboard/, read from the package root: tsc copies no HTML, CSS or
// plain JS into dist/, and the image ships that folder beside dist/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../common/package_root';

export const DASHBOARD_DIR = join(packageRoot(), 'src', 'status', 'dashboard');

let page: string | undefined;

/** index.html with dashboard.css and dashboard.js inlined where it names them; read once. */
export function dashboardHtml(): string {
  if (page === undefined) {
    const read = (name: string) => readFileSync(join(DASHBOARD_DIR, name), 'utf8');
    // Functions as replacements: a "$" in the script must not be read as a pattern.
    page = read('index.html')
      .replace('<style>/* dashboard.css */</style>', () => `<style>\n${read('dashboard.css')}</style>`)
      .replace('<script>/* dashboard.js */</script>', () => `<script>\n${read('dashboard.js')}</script>`);
  }
  return page;
}
