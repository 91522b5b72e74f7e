# Set-up from nothing, then run or test. Everything the project needs is installed from here.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/demo.duckdb
export WENMING_DB ?= $(DB)

.PHONY: run run-lan test demo bench soak loadtest loadtest-pages security clean system-deps office-deps templates

$(BIN)/python: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(BIN)/python

# Debian's Chromium and CJK fonts for the browser tests (root on CI; sudo elsewhere).
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; \
	fi

# LibreOffice (headless Writer and Calc) and poppler-utils, for looking at the 通报 and the templates
# as an office prints them and for the round-trip tests (which skip, saying so, without them); and
# the fontconfig fallbacks that give the 公文 fonts (仿宋, 方正小标宋简体, 楷体, 黑体) a Noto CJK SC face.
office-deps: system-deps
	@SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils; \
	fi; \
	if ! cmp -s assets/fontconfig/65-wenming-cjk.conf /etc/fonts/conf.d/65-wenming-cjk.conf; then \
		$$SUDO install -m 644 assets/fontconfig/65-wenming-cjk.conf /etc/fonts/conf.d/65-wenming-cjk.conf && \
		$$SUDO fc-cache -f >/dev/null; \
	fi

$(DB): | $(BIN)/python
	$(BIN)/python -m wenming demo --db $(DB)

demo: $(BIN)/python
	$(BIN)/python -m wenming demo --db $(DB)

# WENMING_SERVER_ADDRESS / WENMING_SERVER_PORT (wenming/core/config.py SETTINGS): localhost by default;
# `make run-lan` serves the same app to the local network (a 迎检大屏 on another machine).
run: $(BIN)/python $(DB)
	$(BIN)/streamlit run app.py --server.port "$${WENMING_SERVER_PORT:-8501}" \
		--server.address "$${WENMING_SERVER_ADDRESS:-localhost}"

run-lan: $(BIN)/python $(DB)
	WENMING_SERVER_ADDRESS=0.0.0.0 $(MAKE) run

test: $(BIN)/python system-deps
	$(BIN)/python -m pytest -q

templates: $(BIN)/python
	$(BIN)/python -m wenming.ops.templates

bench: $(BIN)/python
	$(BIN)/python -m wenming bench --scales 1,100

soak: $(BIN)/python system-deps
	$(BIN)/python -m pytest -q -m soak tests/soak

# page views per second and seconds to idle for 5, 15, 30 sessions, one app process and two → bench/load_results.md
loadtest: $(BIN)/python system-deps
	$(BIN)/python -m pytest -q -s -m load tests/load/test_throughput.py

# 30 sessions each opening every page of its role once while imports run → bench/load_pages.md
loadtest-pages: $(BIN)/python system-deps
	$(BIN)/python -m pytest -q -m load tests/load/test_load.py

# bounded probes on 127.0.0.1 (a copy of the demo database); the table goes to bench/security.md
security: $(BIN)/python system-deps $(DB)
	$(BIN)/python -m wenming.ops.security --db $(DB) --out bench/security.md

clean:
	rm -rf $(VENV) data/*.duckdb data/*.wal data/archive bench/tmp
