# Two commands do everything: `make demo` runs the main job, `make test` runs every test.
# Both create the virtual environment in $(VENV) first when it is missing.
VENV ?= .venv
PY := $(VENV)/bin/python
ARCH := $(shell uname -m)
ifeq ($(ARCH),aarch64)
TORCH_PKGS ?= torch==2.9.1 torchvision==0.24.1
else
TORCH_PKGS ?= torch==2.14.1 torchvision==0.29.1
endif

.PHONY: demo test install export clean-nbs docs-check readme

$(VENV)/.installed: settings.ini setup.py
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH_PKGS)
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/kp-rcnn demo --out demo_out

test: install
	$(PY) tools/run_tests.py

export: install
	$(VENV)/bin/nbdev_export && $(VENV)/bin/nbdev_clean

readme: install
	$(VENV)/bin/jupyter nbconvert --to markdown --execute --log-level WARN nbs/index.ipynb --output-dir . --output README
