#!/usr/bin/env bash
# Builds the Debian 12 packages into build/deb/ with dpkg-deb (see packaging/README.md):
#   yiciban          the hall PC: hall, relay and platform services, the tools, udev rules
#   yiciban-screens  a screen machine: Qt for the kiosk, dispenser, display and pad, under cage
# Usage: packaging/build-deb.sh [yiciban] [yiciban-screens]   (default: both)
# Needs: python3-venv, gcc, the -dev packages of packaging/apt-packages.txt, dpkg-dev, fakeroot.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${OUT:-$ROOT/build/deb}
PY=/usr/bin/python3.11  # Debian's own, by its versioned name: the venv links to the python3.11 the package depends on
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)
ARCH=$(dpkg --print-architecture)
PACKAGES=("$@")
[ ${#PACKAGES[@]} -gt 0 ] || PACKAGES=(yiciban yiciban-screens)
mkdir -p "$OUT"
# wheels built here by Debian's python3 are kept apart from the user's pip cache, whose wheels
# may have been built by another Python (with its library path written into them)
export PIP_CACHE_DIR=${PIP_CACHE_DIR:-$ROOT/build/pip-cache}

# extras of pyproject.toml: what the hall PC needs is everything but Qt
extra() {  # extra NAME [exclude-regex]
  "$PY" - "$1" "${2:-^$}" <<'EOF'
import re, sys, tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"][sys.argv[1]]
print("\n".join(d for d in deps if not re.match(sys.argv[2], d)))
EOF
}

# the staging path never reaches the package: shebangs and records point at /opt/yiciban
relocate() {  # relocate STAGED_PREFIX FINAL_PREFIX DIR
  { grep -rlI --null -F "$1" "$3" || true; } | xargs -0 -r sed -i "s#$1#$2#g"
  find "$3" -name __pycache__ -type d -prune -exec rm -rf {} +
  # nothing in site-packages is run as a program (shared libraries are mapped, not executed)
  find "$3" -path '*/site-packages/*' -type f -perm /111 -exec chmod a-x {} +
}

control() {  # control STAGE NAME DEPENDS DESCRIPTION
  local size
  size=$(du -sk --exclude=DEBIAN "$1" | cut -f1)
  cat > "$1/DEBIAN/control" <<EOF
Package: $2
Version: $VERSION
Architecture: $ARCH
Maintainer: yiciban maintainers <maintainers@yiciban.invalid>
Installed-Size: $size
Depends: $3
Section: misc
Priority: optional
Homepage: https://yiciban.invalid/
Description: $4
EOF
  sed -n '/^ /p' "packaging/debian/$2.description" >> "$1/DEBIAN/control"
}

finish() {  # finish STAGE NAME
  find "$1" -type d -exec chmod 0755 {} +
  (cd "$1" && find . -path ./DEBIAN -prune -o -type f -print0 | LC_ALL=C sort -z \
     | xargs -0 md5sum | sed 's#  \./#  #' > DEBIAN/md5sums)
  chmod 0644 "$1/DEBIAN/md5sums" "$1/DEBIAN/control"
  [ ! -f "$1/DEBIAN/conffiles" ] || chmod 0644 "$1/DEBIAN/conffiles"
  fakeroot dpkg-deb -Zgzip -z6 --build "$1" "$OUT/${2}_${VERSION}_${ARCH}.deb" >/dev/null
  echo "$OUT/${2}_${VERSION}_${ARCH}.deb"
}

build_hall() {
  local stage=$OUT/stage/yiciban venv=$OUT/stage/yiciban/opt/yiciban/venv
  rm -rf "$stage" && mkdir -p "$stage/DEBIAN"
  "$PY" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check --no-compile ".[devices,sync]" $(extra kiosk '^PySide6')
  "$venv/bin/pip" uninstall -q -y pip
  relocate "$stage/opt/yiciban/venv" /opt/yiciban/venv "$venv"
  install -d "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/lib/udev/rules.d" \
    "$stage/etc/yiciban" "$stage/usr/share/yiciban" "$stage/usr/share/doc/yiciban" \
    "$stage/usr/share/lintian/overrides"
  ln -s /opt/yiciban/venv/bin/yiciban "$stage/usr/bin/yiciban"
  install -m0644 packaging/systemd/yiciban-hall.service packaging/systemd/yiciban-relay.service \
    packaging/systemd/yiciban-platform.service "$stage/lib/systemd/system/"
  install -m0644 packaging/udev/60-yiciban.rules "$stage/lib/udev/rules.d/"
  install -m0644 assets/halls/demo/hall.toml "$stage/etc/yiciban/hall.toml"
  cp -r assets "$stage/usr/share/yiciban/assets"
  install -m0644 README.md "$stage/usr/share/doc/yiciban/README.md"
  install -m0644 packaging/README.md "$stage/usr/share/doc/yiciban/README.packaging.md"
  install -m0644 packaging/debian/copyright "$stage/usr/share/doc/yiciban/copyright"
  gzip -9n < packaging/debian/changelog > "$stage/usr/share/doc/yiciban/changelog.gz"
  install -m0644 packaging/debian/yiciban.lintian-overrides "$stage/usr/share/lintian/overrides/yiciban"
  echo /etc/yiciban/hall.toml > "$stage/DEBIAN/conffiles"
  install -m0755 packaging/debian/yiciban.postinst "$stage/DEBIAN/postinst"
  install -m0755 packaging/debian/yiciban.prerm "$stage/DEBIAN/prerm"
  install -m0755 packaging/debian/yiciban.postrm "$stage/DEBIAN/postrm"
  control "$stage" yiciban "$(grep -vE '^\s*(#|$)' packaging/debian/yiciban.depends | paste -sd, | sed 's/,/, /g')" \
    "service hall edge software: queue, devices, sync (hall PC)"
  finish "$stage" yiciban
}

build_screens() {
  local stage=$OUT/stage/yiciban-screens
  local site=$stage/opt/yiciban/screens site_py
  rm -rf "$stage" && mkdir -p "$stage/DEBIAN"
  "$PY" -m venv "$OUT/stage/pip"  # only for its pip: Qt goes into its own directory
  "$OUT/stage/pip/bin/pip" install -q --disable-pip-version-check --no-compile --target "$site" \
    $(extra kiosk '^(reportlab|segno|pillow|pypinyin|opencv)')
  rm -rf "$site/bin"  # Qt's designer and tool launchers: not for a screen
  relocate "$site" /opt/yiciban/screens "$site"
  find "$site" -type f -perm /111 -exec chmod a-x {} +
  # the hall package's venv finds Qt through this path file
  site_py=$stage/opt/yiciban/venv/lib/python3.11/site-packages
  install -d "$site_py" "$stage/lib/systemd/system" "$stage/etc/pam.d" \
    "$stage/usr/share/doc/yiciban-screens" "$stage/usr/share/lintian/overrides"
  echo /opt/yiciban/screens > "$site_py/yiciban-screens.pth"
  install -m0644 "packaging/systemd/yiciban-screen@.service" "$stage/lib/systemd/system/"
  install -m0644 packaging/debian/yiciban-screen.pam "$stage/etc/pam.d/yiciban-screen"
  install -m0644 packaging/debian/screen.env "$stage/usr/share/doc/yiciban-screens/screen.env.example"
  install -m0644 packaging/debian/copyright "$stage/usr/share/doc/yiciban-screens/copyright"
  gzip -9n < packaging/debian/changelog > "$stage/usr/share/doc/yiciban-screens/changelog.gz"
  install -m0644 packaging/debian/yiciban-screens.lintian-overrides \
    "$stage/usr/share/lintian/overrides/yiciban-screens"
  echo /etc/pam.d/yiciban-screen > "$stage/DEBIAN/conffiles"
  install -m0755 packaging/debian/yiciban-screens.postinst "$stage/DEBIAN/postinst"
  install -m0755 packaging/debian/yiciban-screens.prerm "$stage/DEBIAN/prerm"
  install -m0755 packaging/debian/yiciban-screens.postrm "$stage/DEBIAN/postrm"
  control "$stage" yiciban-screens \
    "yiciban (= $VERSION), $(grep -vE '^\s*(#|$)' packaging/debian/yiciban-screens.depends | paste -sd, | sed 's/,/, /g')" \
    "service hall edge software: touch screens (kiosk, dispenser, display, pad)"
  finish "$stage" yiciban-screens
}

for package in "${PACKAGES[@]}"; do
  case $package in
    yiciban) build_hall ;;
    yiciban-screens) build_screens ;;
    *) echo "build-deb: unknown package $package (yiciban, yiciban-screens)" >&2; exit 2 ;;
  esac
done
