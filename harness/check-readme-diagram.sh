#!/usr/bin/env bash
# Renders every mermaid block of README.md with mermaid's own parser and renderer in headless
# Chromium, and writes a screenshot per block to harness/.work/diagram-<n>.png to look at.
# Installs Debian's chromium and mermaid (into harness/.work, not the project) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
work=harness/.work/mermaid
mkdir -p "$work"
command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
[ -f "$work/node_modules/mermaid/dist/mermaid.min.js" ] || npm install --prefix "$work" --no-save --no-audit --no-fund mermaid@11 >/dev/null

python3 - "$work" <<'PY'
import json, re, sys
work = sys.argv[1]
blocks = re.findall(r"```mermaid\n(.*?)```", open("README.md").read(), re.S)
if not blocks:
    sys.exit("README.md has no mermaid block")
for i, src in enumerate(blocks, 1):
    open(f"{work}/diagram-{i}.html", "w").write(f"""<!doctype html><meta charset="utf-8">
<script src="node_modules/mermaid/dist/mermaid.min.js"></script><div id="out"></div><pre id="status">pending</pre>
<script>mermaid.initialize({{startOnLoad: false}}); const src = {json.dumps(src)};
(async () => {{ try {{ await mermaid.parse(src); document.getElementById('out').innerHTML = (await mermaid.render('d', src)).svg;
  document.getElementById('status').textContent = 'PARSED-OK'; }}
  catch (e) {{ document.getElementById('status').textContent = 'PARSE-ERROR: ' + e.message; }} }})();</script>""")
print(len(blocks))
PY

chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --allow-file-access-from-files --virtual-time-budget=5000)
passed=0 failed=0
for page in "$work"/diagram-*.html; do
  n=$(basename "$page" .html)
  status=$("${chrome[@]}" --user-data-dir="$(mktemp -d)" --dump-dom "file://$PWD/$page" 2>/dev/null | grep -o 'id="status">[^<]*' | cut -d'>' -f2)
  "${chrome[@]}" --user-data-dir="$(mktemp -d)" --window-size=1400,900 --screenshot="$PWD/harness/.work/$n.png" "file://$PWD/$page" >/dev/null 2>&1
  if [ "$status" = PARSED-OK ]; then passed=$((passed + 1)); echo "ok   $n (harness/.work/$n.png)"; else failed=$((failed + 1)); echo "FAIL $n: $status"; fi
done
echo "diagrams: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
