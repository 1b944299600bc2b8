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

.PHONY: demo test install export readme outputs check-outputs docs-preview docs

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
	sed -i 's#](images/#](nbs/images/#g' README.md  # the index's pictures, seen from the repository's root

outputs: install  # run every notebook top to bottom (slow cells too) and store its outputs; pictures kept small
	# execnb runs them as nbdev_test does: progress bars stay text, where a Jupyter kernel would store tqdm's widgets
	$(PY) tools/run_notebook.py nbs/[0-9]*.ipynb nbs/tutorial.ipynb nbs/benchmarks.ipynb nbs/index.ipynb --run slow
	$(VENV)/bin/nbdev_clean

check-outputs: install
	$(PY) tools/check_outputs.py

docs-preview: install  # the docs site's pages as HTML in _preview/, without Quarto
	$(PY) tools/docs_preview.py --out _preview

docs: install  # the real site in _docs/ (needs Quarto: https://quarto.org)
	$(VENV)/bin/nbdev_docs
