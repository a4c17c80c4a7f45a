# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Evaluate your reform · 评估你的改革
#
# A worked difference-in-differences evaluation you can adapt: every step is one visible call into
# `toolkit.did` (docs/did.md has the conventions and the published replications). By default it runs
# on the public **mpdta** panel (Callaway & Sant'Anna 2021: 500 US counties, 2003–2007, the effect of
# minimum-wage rises on log teen employment). To evaluate your own reform, set `data_dir` to a dataset
# folder (its `county_year` table, with `first_treat` taken from `reform_year`) and the column names
# below — for example `outcome = "admissions"`, `unit = "county_id"`, `time = "year"`,
# `cohort = "first_treat"`.

# %% tags=["parameters"]
# `data_dir`: a dataset folder, or "" for the public mpdta example.
# `estimator`: cs, sa, bjs, twfe, event, bacon, sdid; `control`: None (the estimator's own), "never", "notyet".
# `covariates`: comma-separated columns (cs; twfe/event take them as regressors).
data_dir = ""
outcome = "lemp"
unit = "countyreal"
time = "year"
cohort = "first.treat"
estimator = "cs"
control = None
covariates = ""
smoothness_m = [0.0, 0.01, 0.02]
lang = "en"
suppress_threshold = 5
output_dir = ""
exec_mode = "interactive"

# %%
from toolkit.did import estimate, honest_bounds, prepare_panel
from toolkit.report.evaluation import research_panel
from toolkit.report.text import Markdown, did_paragraph

# %% [markdown]
# ## 1. The panel
# One row per unit and year; `cohort` is the first year under the reform (0 or empty = never reformed).

# %%
panel = research_panel(data_dir)
panel.head()

# %% [markdown]
# ## 2. Check it
# `prepare_panel` is the check every estimator runs: missing or non-numeric values, duplicated
# unit-years, ±inf, cohorts treated in the first year … are one clear error naming the rows.
# It tells you the cohorts, the number of units and whether the panel is balanced.

# %%
checked = prepare_panel(panel, outcome, unit, time, cohort, covariates=covariates)
{
    "cohorts": checked.cohorts,
    "units": checked.n_units,
    "never treated": checked.n_never_treated,
    "balanced": checked.balanced,
    "warnings": checked.warnings,
}

# %% [markdown]
# ## 3. Estimate the effect
# A heterogeneity-robust estimator (Callaway–Sant'Anna by default). The result shows the headline
# effect, its interval, the sample and how the inference was done; its tables are attributes.

# %%
res = estimate(
    panel,
    yname=outcome,
    idname=unit,
    tname=time,
    gname=cohort,
    estimator=estimator,
    control=control,
    covariates=covariates,
)
res

# %% [markdown]
# Effects by years since the reform (event study); pre-reform rows are placebo effects that should be
# close to zero if the comparison is sound.

# %%
res.event_study

# %% [markdown]
# ## 4. The pre-trend test
# Which test, its statistic, reference distribution and p-value. With few units it may be "not
# possible" — then no test is shown rather than a misleading one.

# %%
res.diagnostics.get("pretrend")

# %% [markdown]
# ## 5. Compare with two-way fixed effects
# What most published evaluations report. With reforms in waves and effects that change over time it can
# be biased (Goodman-Bacon 2021; `estimator="bacon"` decomposes it).

# %%
twfe = estimate(panel, yname=outcome, idname=unit, tname=time, gname=cohort, estimator="twfe")
twfe

# %% [markdown]
# ## 6. How much could a violation of parallel trends change the answer?
# Rambachan & Roth (2023): the event study against the year before the reform, and the optimal
# fixed-length interval when the pre-trend's slope may change by up to M per year (M = 0: a linear
# pre-trend extrapolated). `breakdown` in the table's attrs is the largest M that still excludes zero.

# %%
event = estimate(panel, yname=outcome, idname=unit, tname=time, gname=cohort, estimator="event")
bounds = honest_bounds(event, smoothness_m, restriction="smoothness", method="flci")
bounds

# %% [markdown]
# ## 7. In plain words
# The paragraph a report would print, generated from the numbers (it names the estimator and the test).

# %%
Markdown(did_paragraph(outcome, res, twfe, lang=lang, unit="number"))

# %% [markdown]
# ## Adapting this notebook
# * Another outcome or your own data: change the parameters cell (or run it with
#   `papermill -p outcome admissions …`, or `python -m toolkit batch … -p outcome=admissions`).
# * Another estimator: `estimator = "sa"` (Sun–Abraham), `"bjs"` (imputation), `"sdid"` (one reform year).
# * The full county report with tables, figures and provenance is notebooks/reform_evaluation.
