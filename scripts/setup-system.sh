#!/usr/bin/env bash
# System packages. `setup-system.sh` (make pdf, …): what building needs — Pango for WeasyPrint, the PT
# fonts, a colour emoji font (banks from the web keep emoji in headings and answers).
# `setup-system.sh test` (make test) adds poppler (pdftotext, pdffonts, pdftoppm), Java for
# epubcheck, Chromium and its driver for the web edition's browser test, calibre (ebook-convert: the
# EPUB read at a 6-inch page size by a real reading engine), Node.js and npm (axe-core for that test). Installs what is missing with
# apt-get where it can, otherwise says exactly what to install.
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-paratype fonts-dejavu-core fonts-noto-color-emoji python3-venv)
if [ "${1:-build}" = test ]; then
  packages+=(poppler-utils default-jre-headless chromium chromium-driver calibre nodejs)
  # npm installs axe-core (package-lock.json); some Node.js builds bring npm, Debian's is a package
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# A Java runtime installed another way (e.g. a JDK in /usr/lib/jvm) is fine for epubcheck.
if command -v java >/dev/null 2>&1; then
  missing=("${missing[@]/default-jre-headless}")
fi
# python3-venv is only needed where the system Python lacks venv (Debian's own python3).
if python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
  missing=("${missing[@]/python3-venv}")
fi
read -r -a missing <<< "${missing[*]}"
[ "${#missing[@]}" -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  echo "setup: installing system packages: ${missing[*]}"
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: please install these system packages, then run make again:" >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
  echo "  (other systems: Pango ≥ 1.44, the PT Serif/PT Sans/PT Mono fonts, Noto Color Emoji, poppler-utils, a Java runtime;" >&2
  echo "   Chromium + chromedriver and calibre only for the browser and e-reader tests, skipped without them)" >&2
  exit 1
fi
