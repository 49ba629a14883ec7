# The two commands a newcomer needs: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint unit notebooks bench emulator clean live

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "==> installing the project and its test tools into $(VENV) (first run only)"
	@$(PY) -m pip install --quiet --upgrade 'pip>=25.1'
	@# A .venv made before the rename (0.2.0) holds the old distribution too: two entry points.
	@$(PY) -m pip uninstall --quiet --yes hunyuan-plugin 2>/dev/null || true
	@$(PY) -m pip install --quiet -e '.[all]' --group dev
	@touch $(STAMP)

# Test and benchmark tools are PEP 735 dependency groups (pip 25.1 or newer), not extras.
$(VENV)/.installed-bench: $(STAMP)
	@$(PY) -m pip install --quiet -e '.[all]' --group dev --group bench
	@touch $@

demo: $(STAMP)
	$(PY) examples/demo.py

test: lint unit

lint: $(STAMP)
	$(PY) -m ruff check hunyuan_api hunyuan_emulator langchain_hunyuan llama_index_hunyuan llama_index tests bench examples
	$(PY) -m ruff format --check hunyuan_api hunyuan_emulator langchain_hunyuan llama_index_hunyuan llama_index tests bench examples
	$(PY) -m mypy

unit: $(VENV)/.installed-bench
	$(PY) -m pytest -q -p no:cacheprovider -n 2

live: $(STAMP)
	$(PY) -m pytest -q -m live

bench: $(VENV)/.installed-bench
	$(PY) -m bench

emulator: $(STAMP)
	$(VENV)/bin/hunyuan-emulator

# Rewrites notebooks/*.ipynb from notebooks/_build.py and stores the outputs of an emulator run.
notebooks: $(STAMP)
	$(PY) notebooks/_build.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
