# One command each, on a fresh Debian 12 machine: `make demo`, `make test`.
# Both first run scripts/bootstrap.sh, which installs the Debian packages and the venv (idempotent).
VENV ?= .venv
PY := $(VENV)/bin/python
DATA ?= ../shared/data
OUT ?= out/demo
export QT_QPA_PLATFORM ?= offscreen
export PROJ_DATA ?= /usr/share/proj
export OMP_NUM_THREADS ?= $(shell nproc)

.PHONY: setup demo test train package clean

setup:
	bash scripts/bootstrap.sh

demo: setup
	mkdir -p $(OUT)
	$(PY) -m plugin register resources/sample/optical.tif resources/sample/sar.tif \
		-o $(OUT)/sar_registered.tif --points $(OUT)/tie_points.points --gpkg $(OUT)/tie_points.gpkg \
		--matches-json $(OUT)/matches.json --overwrite
	$(PY) scripts/demo_error.py resources/sample/truth.json $(OUT)/matches.json --max-error 1.5

test: setup
	$(PY) -m pytest

train: setup
	$(PY) -m training.train --data $(DATA) --minutes 45 --out .cache/train/dffca-v1
	$(PY) -m training.export .cache/train/dffca-v1/best.pt --name dffca-v1 --default

clean:
	rm -rf out .pytest_cache
