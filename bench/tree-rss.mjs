// Usage: node bench/tree-rss.mjs OUT_FILE -- command [args...]
// Runs the command and appends the peak of the summed RSS (KiB) of its whole process tree to OUT_FILE.
// /usr/bin/time reports only the largest single process; CLIs like cdktf and jest spawn children that are
// alive at the same time, so the sum is what the machine has to hold. Sampled every 20 ms: a spike shorter
// than that can be missed. Exits with the command's exit code.
import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';

const [out, separator, command, ...args] = process.argv.slice(2);
if (!out || separator !== '--' || !command) {
  console.error('usage: node bench/tree-rss.mjs OUT_FILE -- command [args...]');
  process.exit(2);
}
const PAGE_KIB = 4;

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // the process exited between listing and reading
  }
}

/** Summed resident KiB of root and all its descendants, from /proc/<pid>/stat (ppid) and statm (rss). */
function treeRssKiB(root) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  let kib = 0;
  for (const queue = [root]; queue.length > 0;) {
    const pid = queue.pop();
    kib += (Number(read(`/proc/${pid}/statm`).split(' ')[1]) || 0) * PAGE_KIB;
    queue.push(...(children.get(pid) ?? []));
  }
  return kib;
}

const child = spawn(command, args, { stdio: 'inherit' });
let peak = 0;
const timer = setInterval(() => {
  peak = Math.max(peak, treeRssKiB(child.pid));
}, 20);
child.on('exit', (code, signal) => {
  clearInterval(timer);
  appendFileSync(out, `${peak}\n`);
  process.exit(code ?? (signal ? 128 : 1));
});
