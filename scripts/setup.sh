#!/usr/bin/env bash
# `npm run setup`: installs what npm cannot — the system's ffmpeg and ffprobe (the media workers
# need them; the static builds on npm crash on this work). Uses apt-get or Homebrew when it can,
# otherwise says exactly what to install. Safe to run again.
set -euo pipefail
ffmpeg_path=${FFMPEG_PATH:-ffmpeg}
ffprobe_path=${FFPROBE_PATH:-ffprobe}
if command -v "$ffmpeg_path" >/dev/null && command -v "$ffprobe_path" >/dev/null; then
  echo "setup: ffmpeg and ffprobe found ($(command -v "$ffmpeg_path"), $(command -v "$ffprobe_path"))"
  exit 0
fi
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo_cmd="sudo"
if command -v apt-get >/dev/null && { [ "$(id -u)" -eq 0 ] || [ -n "$sudo_cmd" ]; }; then
  echo "setup: installing ffmpeg from the system's packages (apt-get)"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends ffmpeg
elif command -v brew >/dev/null; then
  echo "setup: installing ffmpeg with Homebrew"
  brew install ffmpeg
else
  echo "setup: ffmpeg and ffprobe are missing. Install them with your system's package manager" >&2
  echo "  (Debian/Ubuntu: apt-get install ffmpeg; Fedora: dnf install ffmpeg; macOS: brew install ffmpeg)," >&2
  echo "  or set FFMPEG_PATH and FFPROBE_PATH to where they are. Or run the API alone with RUN_WORKERS=false." >&2
  exit 1
fi
command -v "$ffmpeg_path" >/dev/null && command -v "$ffprobe_path" >/dev/null
echo "setup: done ($(ffmpeg -hide_banner -version | head -1))"
